#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| git_postman_fuzz::remote_protocol(data));
