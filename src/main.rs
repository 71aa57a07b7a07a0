use std::process::ExitCode;

/// mimalloc instead of glibc's allocator: search results allocate and free many small JSON
/// values per request, where glibc spent ~45 % of the time (see `docs/decisions.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kho::cli::main()
}
