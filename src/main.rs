use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(okx_monitor::cli::main())
}
