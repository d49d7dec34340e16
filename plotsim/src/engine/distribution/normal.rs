//! Standard normal: quantile (Wichura's AS 241, "PPND16", relative accuracy
//! about 1e-16), CDF from `libm::erfc`, and draws by the ziggurat method
//! ([`ziggurat`]).

use std::sync::OnceLock;

use crate::engine::rng::open_unit;

/// The standard normal quantile Φ⁻¹(p) for p in (0, 1).
///
/// Returns -inf at 0 and +inf at 1; NaN outside [0, 1].
pub fn quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= CENTRAL {
        return central_at(q);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let v = tail(libm::sqrt(-libm::log(r)));
    if q < 0.0 { -v } else { v }
}

/// Φ⁻¹ from the smaller of p and 1 - p given separately, so that upper-tail
/// probabilities below 1e-16 keep their precision. `lower` tells which tail
/// `p_small` belongs to.
pub fn quantile_tail(p_small: f64, lower: bool) -> f64 {
    if p_small >= 0.5 {
        let p = if lower { p_small } else { 1.0 - p_small };
        return quantile(p);
    }
    if p_small <= 0.0 {
        return if lower {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let q = 0.5 - p_small;
    let v = if q <= CENTRAL {
        central_at(q)
    } else {
        tail(libm::sqrt(-libm::log(p_small)))
    };
    if lower { -v } else { v }
}

/// Horner evaluation of Σ c[i]·r^i.
#[inline(always)]
fn poly(r: f64, c: &[f64; 8]) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * r + k)
}

const A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_545,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_049e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

/// Half-width of the central region of AS 241: `|p - 0.5| <= CENTRAL`.
const CENTRAL: f64 = 0.425;

/// Φ⁻¹(0.5 + q) for `|q| <= CENTRAL`.
#[inline(always)]
fn central_at(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    q * (poly(r, &A) / poly(r, &B))
}

fn tail(r: f64) -> f64 {
    if r <= 5.0 {
        let r = r - 1.6;
        poly(r, &C) / poly(r, &D)
    } else {
        let r = r - 5.0;
        poly(r, &E) / poly(r, &F)
    }
}

/// The standard normal CDF Φ(x).
pub fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The upper tail 1 - Φ(x), accurate where Φ(x) is close to 1.
pub fn sf(x: f64) -> f64 {
    0.5 * libm::erfc(x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Layers of the ziggurat.
const LAYERS: usize = 256;
/// Where the ziggurat's base layer meets its tail (Marsaglia and Tsang 2000,
/// for 256 layers).
const ZIG_R: f64 = 3.654_152_885_361_009;
/// The area of every layer (the base layer's includes the tail beyond
/// [`ZIG_R`]).
const ZIG_V: f64 = 0.004_928_673_233_99;

/// The ziggurat's layer edges `x` and the density `f(x) = exp(-x²/2)` there.
struct Ziggurat {
    /// `x[0]` is the base layer's width `V / f(R)`, `x[1] = R`, decreasing to
    /// `x[LAYERS] = 0`.
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

/// The edges, computed once per process from [`ZIG_R`] and [`ZIG_V`] with
/// `libm` (so they are the same bits on every platform).
fn zig() -> &'static Ziggurat {
    static TABLE: OnceLock<Ziggurat> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        x[0] = ZIG_V / density(ZIG_R);
        x[1] = ZIG_R;
        for i in 1..LAYERS - 1 {
            // Layer i spans [0, x[i]] x [f(x[i]), f(x[i + 1])] with area V.
            x[i + 1] = libm::sqrt(-2.0 * libm::log(density(x[i]) + ZIG_V / x[i]));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, &xi) in f.iter_mut().zip(&x) {
            *fi = density(xi);
        }
        f[0] = 0.0;
        Ziggurat { x, f }
    })
}

/// A standard normal draw from 64-bit words, by the ziggurat method
/// (Marsaglia and Tsang 2000) with 256 layers.
///
/// One word gives the layer (its low 8 bits), the sign (bit 8) and a
/// uniform (its top 53 bits); about 99 % of draws end there with one multiply
/// and one comparison. The rest test the wedge with one more word, or draw
/// from the tail beyond 3.654 by Marsaglia's exponential method, and start
/// again when rejected. Every step is `libm` arithmetic on the words, so a
/// sequence of words gives the same draws on every platform.
#[inline(always)]
pub fn ziggurat(mut next: impl FnMut() -> u64) -> f64 {
    let t = zig();
    loop {
        let bits = next();
        let i = (bits & 0xff) as usize;
        // Bit 8 set: the draw is negative. Flipping the sign bit gives the
        // same double as multiplying by -1, without a branch on a coin flip.
        let signed = |x: f64| f64::from_bits(x.to_bits() ^ ((bits & 0x100) << 55));
        let u = (bits >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
        let x = u * t.x[i];
        if x < t.x[i + 1] {
            return signed(x);
        }
        if i == 0 {
            // The tail beyond R: x = R + a with a ~ Exp(R), kept with
            // probability exp(-a²/2).
            loop {
                let a = -libm::log(open_unit(next())) / ZIG_R;
                let b = -libm::log(open_unit(next()));
                if 2.0 * b > a * a {
                    return signed(ZIG_R + a);
                }
            }
        }
        // The wedge: keep x when a uniform height in the layer lies under the curve.
        let y = t.f[i] + open_unit(next()) * (t.f[i + 1] - t.f[i]);
        if y < density(x) {
            return signed(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ziggurat_closes_at_the_top() {
        let t = zig();
        assert!(t.x.windows(2).all(|w| w[0] > w[1]), "edges decrease");
        // The last layer computed from R and V reaches the density's peak:
        // f(x[255]) + V / x[255] = f(0) = 1 (to the precision of R and V).
        let top = density(t.x[LAYERS - 1]) + ZIG_V / t.x[LAYERS - 1];
        assert!((top - 1.0).abs() < 1e-9, "top {top}");
        // The base layer's area (rectangle under f(R) plus the tail) is V.
        let base = ZIG_R * density(ZIG_R) + (2.0 * std::f64::consts::PI).sqrt() * sf(ZIG_R);
        assert!((base / ZIG_V - 1.0).abs() < 1e-9, "base {base}");
    }
}
