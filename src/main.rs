use std::process::ExitCode;

fn main() -> ExitCode {
    careergraph::cli::main()
}
