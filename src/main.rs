use std::process::ExitCode;

fn main() -> ExitCode {
    kho::cli::main()
}
