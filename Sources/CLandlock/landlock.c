// Landlock through its system calls (Linux 5.13+), which Swift cannot make
// itself: syscall(2) is variadic. See Documentation/userspace-api/landlock.rst.
#define _GNU_SOURCE
#include "vmlab_landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

// The ruleset attribute as the newest ABI knows it; older kernels are given
// only the prefix they understand (its size says which).
struct vmlab_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

// File-system rights by ABI version: 1 has bits 0-12, 2 adds REFER (13),
// 3 TRUNCATE (14), 5 IOCTL_DEV (15).
static uint64_t handled_fs(int abi) {
    uint64_t rights = (1ULL << 13) - 1;
    if (abi >= 2) rights |= 1ULL << 13;
    if (abi >= 3) rights |= 1ULL << 14;
    if (abi >= 5) rights |= 1ULL << 15;
    return rights;
}

int vmlab_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, (void *)0, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
    return abi < 0 ? -errno : (int)abi;
}

int vmlab_landlock_restrict_to_reading(const char *const *paths, int count) {
    int abi = vmlab_landlock_abi();
    if (abi < 1) return abi < 0 ? abi : -ENOSYS;
    struct vmlab_ruleset_attr attr = {0};
    attr.handled_access_fs = handled_fs(abi);
    size_t size = sizeof(uint64_t);
    if (abi >= 4) {
        attr.handled_access_net = (1ULL << 0) | (1ULL << 1);  // BIND_TCP, CONNECT_TCP
        size = 2 * sizeof(uint64_t);
    }
    if (abi >= 6) {
        attr.scoped = (1ULL << 0) | (1ULL << 1);  // ABSTRACT_UNIX_SOCKET, SIGNAL
        size = 3 * sizeof(uint64_t);
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0U);
    if (ruleset < 0) return -errno;
    const uint64_t read_file = 1ULL << 2, read_dir = 1ULL << 3;
    for (int i = 0; i < count; i++) {
        int fd = open(paths[i], O_PATH | O_CLOEXEC);
        if (fd < 0) {
            int saved = errno;
            close(ruleset);
            return -saved;
        }
        struct landlock_path_beneath_attr beneath = {.allowed_access = read_file | read_dir, .parent_fd = fd};
        long added = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0U);
        if (added < 0 && errno == EINVAL) {
            // A file, not a folder: only file rights may be granted on it.
            beneath.allowed_access = read_file;
            added = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0U);
        }
        int saved = errno;
        close(fd);
        if (added < 0) {
            close(ruleset);
            return -saved;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_landlock_restrict_self, ruleset, 0U) != 0) {
        int saved = errno;
        close(ruleset);
        return -saved;
    }
    close(ruleset);
    return abi;
}
