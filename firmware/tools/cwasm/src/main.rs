//! `cwasm`: compiles guest components for the firmware on the build machine,
//! so a guest change needs no firmware relink and Cranelift is built once.
//!
//! ```text
//! cwasm compile --world WORLD IN.wasm -o OUT.cwasm    for an embedded image
//! cwasm package [--world WORLD | --unchecked] IN.wasm -o OUT.cwasm
//!                                                      header + payload, for the loader
//! cwasm fingerprint [--loader] [-o FILE]               the engine fingerprint, hex
//! ```
//! `--wit DIR` picks the WIT directory (default: the repository's `wit/`).
//! Every failure is one line on stderr and exit status 1 (2 for usage).

mod check;
mod engines;
#[path = "../../../src/common/package.rs"]
#[allow(dead_code)] // the loader's half of the format (total_len)
mod package;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use engines::Target;

const USAGE: &str = "usage: cwasm compile --world WORLD IN.wasm -o OUT.cwasm | \
cwasm package [--world WORLD | --unchecked] IN.wasm -o OUT.cwasm | cwasm fingerprint [--loader] [-o FILE] \
(all take --wit DIR)";

#[derive(Default)]
struct Args {
    command: String,
    world: Option<String>,
    wit: Option<PathBuf>,
    input: Option<PathBuf>,
    output: Option<PathBuf>,
    unchecked: bool,
    loader: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut args = Args { command: it.next().ok_or("no command")?, ..Args::default() };
    while let Some(a) = it.next() {
        let mut value = |flag: &str| it.next().ok_or(format!("{flag} needs a value"));
        match a.as_str() {
            "--world" => args.world = Some(value("--world")?),
            "--wit" => args.wit = Some(value("--wit")?.into()),
            "-o" | "--output" => args.output = Some(value("-o")?.into()),
            "--unchecked" => args.unchecked = true,
            "--loader" => args.loader = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            _ if args.input.is_none() => args.input = Some(a.into()),
            _ => return Err(format!("unexpected argument `{a}`")),
        }
    }
    Ok(args)
}

fn wit_dir(args: &Args) -> PathBuf {
    args.wit.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../wit"))
}

/// Writes `bytes` to `path` only if they differ from what is there, so make
/// and cargo see real modification times.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

fn read_input(args: &Args) -> Result<(PathBuf, Vec<u8>), String> {
    let path = args.input.clone().ok_or("no input .wasm given")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path, bytes))
}

fn compile(args: &Args) -> Result<(), String> {
    let world = args.world.as_deref().ok_or("compile needs --world WORLD (the image's WIT world)")?;
    let output = args.output.as_deref().ok_or("compile needs -o OUT.cwasm")?;
    let (path, bytes) = read_input(args)?;
    let provided = check::Worlds::load(&wit_dir(args))?.imports(world)?;
    check::check_component(&path, &bytes, &provided, &format!("the firmware (world `{world}`)"))?;
    let engine = engines::engine(Target::Image)?;
    let cwasm = engine
        .precompile_component(&bytes)
        .map_err(|e| format!("{}: AOT compilation failed: {e:#}", path.display()))?;
    write_if_changed(output, &cwasm)
}

fn package(args: &Args) -> Result<(), String> {
    let output = args.output.as_deref().ok_or("package needs -o OUT.cwasm")?;
    let (path, bytes) = read_input(args)?;
    let engine = engines::engine(Target::Loader)?;
    let cwasm = if args.unchecked {
        // For the hostile battery: whatever it is, compile it, so the loader's
        // own checks are what a test exercises.
        if wasmparser::Parser::is_core_wasm(&bytes) {
            engine.precompile_module(&bytes)
        } else {
            engine.precompile_component(&bytes)
        }
    } else {
        let worlds = check::Worlds::load(&wit_dir(args))?;
        let (provided, host) = match args.world.as_deref() {
            Some(w) => (worlds.imports(w)?, format!("the world `{w}`")),
            None => (worlds.all_interfaces(), "the loader".to_string()),
        };
        check::check_component(&path, &bytes, &provided, &host)?;
        engine.precompile_component(&bytes)
    }
    .map_err(|e| format!("{}: AOT compilation failed: {e:#}", path.display()))?;
    let payload_len = u32::try_from(cwasm.len()).map_err(|_| "artifact larger than 4 GiB".to_string())?;
    let header = package::Header {
        payload_len,
        payload_crc: package::crc32(&cwasm),
        fingerprint: engines::fingerprint(&engine),
    };
    let mut blob = header.to_bytes().to_vec();
    blob.extend_from_slice(&cwasm);
    // Read back with the loader's own code: a package that it would refuse
    // is never written.
    package::open(&blob, &header.fingerprint).map_err(|e| format!("package self-check: {e}"))?;
    write_if_changed(output, &blob)
}

fn fingerprint(args: &Args) -> Result<(), String> {
    let engine = engines::engine(if args.loader { Target::Loader } else { Target::Image })?;
    let text = format!("{}\n", engines::hex(&engines::fingerprint(&engine)));
    match &args.output {
        Some(path) => write_if_changed(path, text.as_bytes()),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cwasm: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "compile" => compile(&args),
        "package" => package(&args),
        "fingerprint" => fingerprint(&args),
        other => {
            eprintln!("cwasm: unknown command `{other}`\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: multi-line causes (wasmtime's) are joined.
            eprintln!("cwasm: {}", e.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
