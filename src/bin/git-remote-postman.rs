fn main() {
    eprintln!("usage: git-remote-postman");
    std::process::exit(129);
}
