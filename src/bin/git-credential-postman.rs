fn main() {
    eprintln!("usage: git-credential-postman");
    std::process::exit(129);
}
