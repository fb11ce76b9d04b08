use std::process::ExitCode;

/// A request allocates and frees thousands of small values (one per field
/// resolved and serialized); the profile in docs/benchmarks.md found glibc's
/// malloc and free a third of the server's CPU, which mimalloc cuts.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    careergraph::cli::main()
}
