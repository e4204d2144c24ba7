fn main() {
    eprintln!("usage: git-postman");
    std::process::exit(129);
}
