#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
struct Row(String, f64);

fn main() {
    let _ = Row::generate(1);
}
