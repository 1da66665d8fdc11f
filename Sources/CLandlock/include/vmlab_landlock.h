#ifndef VMLAB_LANDLOCK_H
#define VMLAB_LANDLOCK_H

/// The Landlock ABI version this kernel offers (1 or more), or a negative
/// errno (-ENOSYS, -EOPNOTSUPP) when it offers none.
int vmlab_landlock_abi(void);

/// Restricts the calling process for good: no file may be opened, created,
/// written, removed or executed, except that files beneath each of the
/// `count` paths may be read (folders listed); no TCP socket may be bound
/// or connected; and (ABI 6) no signal may be sent and no abstract Unix
/// socket reached outside the sandbox. Returns the ABI used, or a negative
/// errno.
int vmlab_landlock_restrict_to_reading(const char *const *paths, int count);

#endif
