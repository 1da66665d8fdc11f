// Fixed-arity wrappers around libedit's variadic el_set/el_get/history, which
// Swift cannot call directly, plus the few libc globals Swift 6 may not touch.
#ifndef VMLAB_CEDITLINE_SHIM_H
#define VMLAB_CEDITLINE_SHIM_H

#include <histedit.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

typedef char *(*vmlab_prompt_function)(EditLine *);
typedef unsigned char (*vmlab_key_function)(EditLine *, int);

static inline EditLine *vmlab_el_init(const char *program) {
    setlocale(LC_CTYPE, "");
    return el_init(program, stdin, stdout, stderr);
}

static inline void vmlab_el_set_prompt(EditLine *el, vmlab_prompt_function prompt) {
    el_set(el, EL_PROMPT, prompt);
}

/// A prompt whose non-printing parts (colour escapes) sit between two `marker` characters.
static inline void vmlab_el_set_prompt_escaped(EditLine *el, vmlab_prompt_function prompt, char marker) {
    el_set(el, EL_PROMPT_ESC, prompt, marker);
}

/// Binds a key sequence to an existing editor function (for example "^R" to "em-inc-search-prev").
static inline void vmlab_el_bind(EditLine *el, const char *key, const char *function) {
    el_set(el, EL_BIND, key, function, NULL);
}

static inline void vmlab_el_set_emacs(EditLine *el) { el_set(el, EL_EDITOR, "emacs"); }

/// Keep libedit's own signal handling on, so the terminal is restored.
static inline void vmlab_el_set_signal(EditLine *el, int on) { el_set(el, EL_SIGNAL, on); }

static inline void vmlab_el_set_clientdata(EditLine *el, void *data) { el_set(el, EL_CLIENTDATA, data); }

static inline void *vmlab_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

static inline void vmlab_el_set_history(EditLine *el, History *list) {
    el_set(el, EL_HIST, history, list);
}

/// Binds `key` (for example "^I") to a new editor function named `name`.
static inline void vmlab_el_bind_function(
    EditLine *el, const char *name, const char *help, vmlab_key_function function, const char *key) {
    el_set(el, EL_ADDFN, name, help, function);
    el_set(el, EL_BIND, key, name, NULL);
}

/// Reads ~/.editrc-style settings, so users keep their own bindings.
static inline void vmlab_el_source_default(EditLine *el) { el_source(el, NULL); }

static inline History *vmlab_history_init(int size) {
    History *list = history_init();
    HistEvent event;
    history(list, &event, H_SETSIZE, size);
    history(list, &event, H_SETUNIQUE, 1);
    return list;
}

static inline void vmlab_history_enter(History *list, const char *line) {
    HistEvent event;
    history(list, &event, H_ENTER, line);
}

static inline int vmlab_history_load(History *list, const char *path) {
    HistEvent event;
    return history(list, &event, H_LOAD, path);
}

static inline int vmlab_history_save(History *list, const char *path) {
    HistEvent event;
    return history(list, &event, H_SAVE, path);
}

static inline int vmlab_stdin_is_terminal(void) { return isatty(0); }
static inline int vmlab_stdout_is_terminal(void) { return isatty(1); }

static inline void vmlab_flush_stdout(void) { fflush(stdout); }

// Ctrl-C: a handler that only records the signal. Installed without
// SA_RESTART so that el_gets returns -1 and a running loop can notice.
static volatile sig_atomic_t vmlab_interrupt_flag = 0;

static inline void vmlab_on_interrupt(int signal_number) {
    (void)signal_number;
    vmlab_interrupt_flag = 1;
}

static inline void vmlab_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = vmlab_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, NULL);
    // A parent may have left SIGINT blocked (test runners, some IDEs); a
    // blocked Ctrl-C would never stop a running loop.
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    sigprocmask(SIG_UNBLOCK, &interrupt, NULL);
}

/// True once per Ctrl-C.
static inline int vmlab_take_interrupt(void) {
    int was = vmlab_interrupt_flag;
    vmlab_interrupt_flag = 0;
    return was;
}

#endif
