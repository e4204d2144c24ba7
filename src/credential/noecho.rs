//! Reading a secret from the terminal: echo is turned off *before* the prompt is written.
//!
//! The order matters. A user who pastes a token the moment the prompt shows types it
//! right after the prompt's last byte; if echo went off only after the prompt (as
//! `rpassword::prompt_password` does), the terminal can still echo it, and the token ends
//! up on the screen, in terminal logs and in screen shares. git's own prompt
//! (`compat/terminal.c`) turns echo off first, and so does this.
//!
//! Unix: termios on `/dev/tty` (not stdin/stdout, which may belong to git's protocol),
//! `ECHO` off in canonical mode, so the terminal still does line editing. The old
//! settings come back on every way out: a guard on return and on errors, and handlers for
//! the signals that end the process (SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, as git's
//! `sigchain_push_common`), which put the settings back and re-raise the signal.
//!
//! Windows: the console's input mode, `ENABLE_ECHO_INPUT` off, on `CONIN$`; the prompt
//! goes to `CONOUT$`. A console control handler puts the mode back on Ctrl-C or Ctrl-Break.

/// Errors while asking for a secret on the terminal.
#[derive(Debug, thiserror::Error)]
pub enum NoEchoError {
    #[error("no terminal ({0})")]
    NoTerminal(std::io::Error),
    #[error("cannot turn terminal echo off ({0})")]
    EchoOff(std::io::Error),
    #[error("reading the terminal: {0}")]
    Io(std::io::Error),
}

/// Writes `prompt` on the terminal with echo already off and reads one line. The answer
/// comes without its line end; an end of input (Ctrl-D) gives what was typed so far.
pub fn read_secret(prompt: &str) -> Result<String, NoEchoError> {
    // One prompt at a time: the terminal's saved settings are process-wide (the signal
    // handlers read them).
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let terminal = platform::Terminal::open().map_err(NoEchoError::NoTerminal)?;
    let _echo_off = terminal.echo_off().map_err(NoEchoError::EchoOff)?;
    terminal.write(prompt).map_err(NoEchoError::Io)?;
    let line = terminal.read_line();
    // Echo was off, so the user's Enter did not move the cursor: do it for them.
    let _ = terminal.write("\n");
    Ok(line
        .map_err(NoEchoError::Io)?
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

#[cfg(unix)]
mod platform {
    use std::cell::UnsafeCell;
    use std::fs::File;
    use std::io::{BufRead, BufReader, Write};
    use std::mem::MaybeUninit;
    use std::os::fd::{AsRawFd, RawFd};
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The signals whose default action ends the process.
    const SIGNALS: [libc::c_int; 5] = [
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGPIPE,
    ];

    /// The terminal's settings before echo went off, for the signal handler: written
    /// before [`SAVED_FD`] is set, read only while it is.
    struct Saved(UnsafeCell<MaybeUninit<libc::termios>>);
    // SAFETY: one prompt at a time (read_secret's lock); the handler only reads after
    // SAVED_FD is published.
    unsafe impl Sync for Saved {}
    static SAVED: Saved = Saved(UnsafeCell::new(MaybeUninit::uninit()));
    /// The terminal's descriptor while echo is off, else -1.
    static SAVED_FD: AtomicI32 = AtomicI32::new(-1);

    extern "C" fn restore_and_reraise(signal: libc::c_int) {
        let fd = SAVED_FD.load(Ordering::Acquire);
        if fd >= 0 {
            // SAFETY: tcsetattr and raise are async-signal-safe; SAVED is initialised
            // whenever SAVED_FD is set.
            unsafe { libc::tcsetattr(fd, libc::TCSANOW, (*SAVED.0.get()).as_ptr()) };
        }
        // SA_RESETHAND put the default action back: the signal ends the process as it
        // would have without us.
        unsafe { libc::raise(signal) };
    }

    /// `/dev/tty`, the controlling terminal.
    pub struct Terminal(File);

    impl Terminal {
        pub fn open() -> std::io::Result<Terminal> {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .map(Terminal)
        }

        pub fn write(&self, text: &str) -> std::io::Result<()> {
            let mut out = &self.0;
            out.write_all(text.as_bytes())?;
            out.flush()
        }

        /// One line; in canonical mode the terminal hands over no more than that.
        pub fn read_line(&self) -> std::io::Result<String> {
            let mut line = Vec::new();
            BufReader::new(&self.0).read_until(b'\n', &mut line)?;
            String::from_utf8(line)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        }

        /// Turns echo off until the guard goes.
        pub fn echo_off(&self) -> std::io::Result<EchoOff> {
            let fd = self.0.as_raw_fd();
            let mut original = MaybeUninit::<libc::termios>::uninit();
            // SAFETY: fd is open; tcgetattr fills `original` when it returns 0.
            if unsafe { libc::tcgetattr(fd, original.as_mut_ptr()) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: initialised by tcgetattr above.
            let original = unsafe { original.assume_init() };
            // SAFETY: no handler reads SAVED while SAVED_FD is -1.
            unsafe { (*SAVED.0.get()).write(original) };
            SAVED_FD.store(fd, Ordering::Release);
            let guard = EchoOff {
                fd,
                original,
                handlers: install_handlers(),
            };
            let mut quiet = original;
            quiet.c_lflag &= !(libc::ECHO | libc::ECHOE | libc::ECHOK | libc::ECHONL);
            // SAFETY: fd is open, `quiet` a valid termios.
            if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(guard)
        }
    }

    /// Echo is off while this lives.
    pub struct EchoOff {
        fd: RawFd,
        original: libc::termios,
        handlers: Vec<(libc::c_int, libc::sigaction)>,
    }

    impl Drop for EchoOff {
        fn drop(&mut self) {
            // Settings first, handlers last: a signal in between finds a handler that
            // restores the same settings again.
            // SAFETY: fd is still open (the terminal outlives the guard).
            unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &self.original) };
            SAVED_FD.store(-1, Ordering::Release);
            for (signal, old) in &self.handlers {
                // SAFETY: `old` came from sigaction.
                unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
            }
        }
    }

    /// Our handler for each signal not ignored; the old actions, to put back.
    fn install_handlers() -> Vec<(libc::c_int, libc::sigaction)> {
        let mut replaced = Vec::new();
        for signal in SIGNALS {
            // SAFETY: plain sigaction calls with initialised structs.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = restore_and_reraise as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, std::ptr::null_mut()) == 0 {
                    replaced.push((signal, old));
                }
            }
        }
        replaced
    }
}

#[cfg(windows)]
mod platform {
    use std::fs::File;
    use std::os::windows::io::AsRawHandle;
    use std::sync::atomic::{AtomicIsize, AtomicU32, Ordering};

    use windows_sys::core::BOOL;
    use windows_sys::Win32::Foundation::HANDLE;
    use windows_sys::Win32::System::Console::{
        GetConsoleMode, ReadConsoleW, SetConsoleCtrlHandler, SetConsoleMode, WriteConsoleW,
        CONSOLE_MODE, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT, ENABLE_PROCESSED_INPUT,
    };

    /// The input handle while echo is off (0: none), and its mode before, for the
    /// control handler.
    static SAVED_HANDLE: AtomicIsize = AtomicIsize::new(0);
    static SAVED_MODE: AtomicU32 = AtomicU32::new(0);

    unsafe extern "system" fn restore_on_ctrl(_event: u32) -> BOOL {
        let handle = SAVED_HANDLE.load(Ordering::Acquire);
        if handle != 0 {
            SetConsoleMode(handle as HANDLE, SAVED_MODE.load(Ordering::Acquire));
        }
        // Not handled: the default handler still ends the process.
        0
    }

    /// The console: `CONIN$` to read, `CONOUT$` to write.
    pub struct Terminal {
        input: File,
        output: File,
    }

    impl Terminal {
        pub fn open() -> std::io::Result<Terminal> {
            let open = |name| {
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(name)
            };
            Ok(Terminal {
                input: open("CONIN$")?,
                output: open("CONOUT$")?,
            })
        }

        /// Through WriteConsoleW: the console's code page may not be UTF-8.
        pub fn write(&self, text: &str) -> std::io::Result<()> {
            let wide: Vec<u16> = text.encode_utf16().collect();
            let mut written = 0u32;
            // SAFETY: a console handle we own; `wide` outlives the call.
            let ok = unsafe {
                WriteConsoleW(
                    self.output.as_raw_handle() as HANDLE,
                    wide.as_ptr(),
                    wide.len() as u32,
                    &mut written,
                    std::ptr::null(),
                )
            };
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        }

        /// One line, through ReadConsoleW (UTF-16, whatever the code page).
        pub fn read_line(&self) -> std::io::Result<String> {
            let mut line: Vec<u16> = Vec::new();
            let mut buf = [0u16; 256];
            while line.last() != Some(&(b'\n' as u16)) {
                let mut read = 0u32;
                // SAFETY: as above; `buf` holds `buf.len()` UTF-16 units.
                let ok = unsafe {
                    ReadConsoleW(
                        self.input.as_raw_handle() as HANDLE,
                        buf.as_mut_ptr().cast(),
                        buf.len() as u32,
                        &mut read,
                        std::ptr::null(),
                    )
                };
                if ok == 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if read == 0 {
                    break;
                }
                line.extend_from_slice(&buf[..read as usize]);
            }
            String::from_utf16(&line)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        }

        /// Turns echo off until the guard goes.
        pub fn echo_off(&self) -> std::io::Result<EchoOff> {
            let handle = self.input.as_raw_handle() as HANDLE;
            let mut original: CONSOLE_MODE = 0;
            // SAFETY: a console handle we own; `original` is written on success.
            if unsafe { GetConsoleMode(handle, &mut original) } == 0 {
                return Err(std::io::Error::last_os_error());
            }
            SAVED_MODE.store(original, Ordering::Release);
            SAVED_HANDLE.store(handle as isize, Ordering::Release);
            // SAFETY: a valid handler routine.
            unsafe { SetConsoleCtrlHandler(Some(restore_on_ctrl), 1) };
            let guard = EchoOff { handle, original };
            let quiet =
                (original & !ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT;
            // SAFETY: as above.
            if unsafe { SetConsoleMode(handle, quiet) } == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(guard)
        }
    }

    /// Echo is off while this lives.
    pub struct EchoOff {
        handle: HANDLE,
        original: CONSOLE_MODE,
    }

    impl Drop for EchoOff {
        fn drop(&mut self) {
            // SAFETY: the handle is still open (the terminal outlives the guard).
            unsafe {
                SetConsoleMode(self.handle, self.original);
                SAVED_HANDLE.store(0, Ordering::Release);
                SetConsoleCtrlHandler(Some(restore_on_ctrl), 0);
            }
        }
    }
}
