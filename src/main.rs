//! The `permcat` command line: parses flags and calls the library.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => cmd::exit::error(&err),
    }
}

/// mimalloc: linking allocates millions of small strings from both threads at once, and
/// with the system allocator a fifth of `check`'s time went to malloc and free and the
/// threads queued on the address-space lock (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Indexes of two of mimalloc's options (`mi_option_e` in the mimalloc.h that
/// libmimalloc-sys builds); a unit test checks that they name the options meant.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const MI_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const MI_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed goes back to the system after 10 ms instead of after a second, and
/// arenas are committed as they are used: without both, the loader's freed parse buffers
/// stayed resident and `build` peaked ~90 MB higher (and ~20 MB above glibc's malloc).
/// Returning memory at once instead costs a fifth more page faults (each file read
/// lands in pages given back a moment before) for 5 MB less peak. Both must be set
/// before the first allocation, which the Rust runtime makes before `main`: the
/// function is a constructor. They are defaults: `MIMALLOC_PURGE_DELAY` and
/// `MIMALLOC_ARENA_EAGER_COMMIT` in the environment still override them.
#[cfg(all(target_os = "linux", not(test)))]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

#[cfg(all(target_os = "linux", not(test)))]
extern "C" fn tune_allocator() {
    // SAFETY: mi_option_set_default only stores an allocator parameter.
    unsafe {
        libmimalloc_sys::mi_option_set_default(MI_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set_default(MI_PURGE_DELAY, 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexes name the options with their defaults in options.c (2, and 1,000 ms) unless
    /// the environment sets them.
    #[test]
    fn allocator_option_indexes_name_the_options_meant() {
        // SAFETY: mi_option_get only reads an allocator parameter.
        let (eager, delay) = unsafe {
            (
                libmimalloc_sys::mi_option_get(MI_ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(MI_PURGE_DELAY),
            )
        };
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(eager, 2);
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay, 1000);
        }
    }
}
