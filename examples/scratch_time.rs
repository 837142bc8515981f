use permcat::model::ApiVersion;
use permcat::sources::{csdl, docs, DataDir};
use std::time::Instant;
fn main() {
    let dir = DataDir::open("../shared/upstream/current").unwrap();
    let t = Instant::now();
    let _ = csdl::load(&dir, ApiVersion::V1_0).unwrap();
    println!("csdl v1 {:?}", t.elapsed());
    let t = Instant::now();
    let _ = csdl::load(&dir, ApiVersion::Beta).unwrap();
    println!("csdl beta {:?}", t.elapsed());
    let t = Instant::now();
    let _ = docs::load(&dir).unwrap();
    println!("docs {:?}", t.elapsed());
    let t = Instant::now();
    let _ = permcat::load(dir.root()).unwrap();
    println!("all {:?}", t.elapsed());
}
