//! Positions in RD New (EPSG:28992, metres) and WGS84, and the little plane geometry the
//! register needs (is a point inside a municipality?).

use crate::error::Check;
use serde::{Deserialize, Serialize};

/// A point in RD New metres. The register stores RD, the Dutch standard; WGS84 is derived.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RdPoint {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Wgs84Point {
    pub lat: f64,
    pub lon: f64,
}

/// A position as a client may give it: in RD New or in WGS84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum PositionInput {
    Rd(RdPoint),
    Wgs84(Wgs84Point),
}

/// The RD New box around the Netherlands, with its territorial waters.
const RD_X: (f64, f64) = (-7_000.0, 300_000.0);
const RD_Y: (f64, f64) = (289_000.0, 629_000.0);

impl PositionInput {
    /// Converts to RD and checks that the point lies in the Netherlands.
    pub fn to_rd(self) -> Check<RdPoint> {
        let p = match self {
            PositionInput::Rd(p) => p,
            PositionInput::Wgs84(w) => {
                if !(w.lat.is_finite() && w.lon.is_finite()) {
                    return Err(("invalid_position", "latitude and longitude must be numbers".into()));
                }
                w.to_rd()
            }
        };
        if p.x.is_finite() && p.y.is_finite() && (RD_X.0..=RD_X.1).contains(&p.x) && (RD_Y.0..=RD_Y.1).contains(&p.y) {
            Ok(p)
        } else {
            Err(("position_outside_nl", "the position lies outside the Netherlands".into()))
        }
    }
}

impl RdPoint {
    pub fn to_wgs84(self) -> Wgs84Point {
        let (lat, lon) = rijksdriehoek::rijksdriehoek_to_wgs84(self.x, self.y);
        Wgs84Point { lat, lon }
    }
}

impl Wgs84Point {
    pub fn to_rd(self) -> RdPoint {
        let (x, y) = rijksdriehoek::wgs84_to_rijksdriehoek(self.lat, self.lon);
        RdPoint { x, y }
    }
}

/// A polygon with holes: the first ring is the exterior.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    pub rings: Vec<Vec<RdPoint>>,
}

impl Polygon {
    /// Even-odd rule over all rings, so holes are excluded.
    pub fn contains(&self, p: RdPoint) -> bool {
        let mut inside = false;
        for ring in &self.rings {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + n - 1) % n]);
                if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    pub fn bbox(&self) -> (RdPoint, RdPoint) {
        bbox(self.rings.iter().flatten())
    }
}

/// The bounding box of some points: (min, max).
pub fn bbox<'a>(points: impl IntoIterator<Item = &'a RdPoint>) -> (RdPoint, RdPoint) {
    let mut min = RdPoint { x: f64::MAX, y: f64::MAX };
    let mut max = RdPoint { x: f64::MIN, y: f64::MIN };
    for p in points {
        min.x = min.x.min(p.x);
        min.y = min.y.min(p.y);
        max.x = max.x.max(p.x);
        max.y = max.y.max(p.y);
    }
    (min, max)
}

/// An area made of one or more polygons (a municipality with islands).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Area {
    pub polygons: Vec<Polygon>,
}

impl Area {
    pub fn contains(&self, p: RdPoint) -> bool {
        self.polygons.iter().any(|poly| poly.contains(p))
    }

    pub fn bbox(&self) -> (RdPoint, RdPoint) {
        bbox(self.polygons.iter().flat_map(|p| p.rings.iter().flatten()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rd_and_wgs84_round_trip_near_amersfoort_and_den_haag() {
        let amersfoort = RdPoint { x: 155_000.0, y: 463_000.0 }.to_wgs84();
        assert!((amersfoort.lat - 52.155).abs() < 0.001 && (amersfoort.lon - 5.387).abs() < 0.001, "{amersfoort:?}");
        // Den Haag, Binnenhof: about 52.0799 N, 4.3133 E.
        let rd = PositionInput::Wgs84(Wgs84Point { lat: 52.0799, lon: 4.3133 }).to_rd().unwrap();
        assert!((rd.x - 81_200.0).abs() < 500.0 && (rd.y - 455_400.0).abs() < 500.0, "{rd:?}");
        let back = rd.to_wgs84();
        assert!((back.lat - 52.0799).abs() < 1e-5 && (back.lon - 4.3133).abs() < 1e-5);
    }

    #[test]
    fn positions_outside_the_netherlands_are_refused() {
        let paris = PositionInput::Wgs84(Wgs84Point { lat: 48.85, lon: 2.35 });
        assert_eq!(paris.to_rd().unwrap_err().0, "position_outside_nl");
        assert!(PositionInput::Rd(RdPoint { x: f64::NAN, y: 400_000.0 }).to_rd().is_err());
    }

    #[test]
    fn point_in_polygon_with_a_hole() {
        let sq = |a: f64, b: f64| {
            vec![RdPoint { x: a, y: a }, RdPoint { x: b, y: a }, RdPoint { x: b, y: b }, RdPoint { x: a, y: b }]
        };
        let poly = Polygon { rings: vec![sq(0.0, 10.0), sq(4.0, 6.0)] };
        assert!(poly.contains(RdPoint { x: 1.0, y: 1.0 }));
        assert!(!poly.contains(RdPoint { x: 5.0, y: 5.0 }));
        assert!(!poly.contains(RdPoint { x: 11.0, y: 5.0 }));
    }
}
