//! `geo.<field>` columns: one row-coherent location per dimension row (the
//! country, its code, the region, the city, a postcode of the city and the
//! city's coordinates always belong together), picked from a fixed table
//! of 170 cities in 17 countries by a hash of the row's name, so every geo
//! column of a row names the same place whatever the column order.

use plotsim_config::dsl::column_type::GeoField;

use super::cells::Cell;
use crate::engine::rng::{Part, hash};

/// One place: country, ISO 3166-1 alpha-2 code, region, city, postcode,
/// latitude, longitude.
type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
);

/// The places, ten per country.
#[rustfmt::skip]
const PLACES: &[Place] = &[
    ("United States", "US", "New York", "New York", "10001", 40.7128, -74.0060),
    ("United States", "US", "California", "Los Angeles", "90012", 34.0522, -118.2437),
    ("United States", "US", "Illinois", "Chicago", "60601", 41.8781, -87.6298),
    ("United States", "US", "Texas", "Houston", "77002", 29.7604, -95.3698),
    ("United States", "US", "Arizona", "Phoenix", "85004", 33.4484, -112.0740),
    ("United States", "US", "Pennsylvania", "Philadelphia", "19107", 39.9526, -75.1652),
    ("United States", "US", "Washington", "Seattle", "98101", 47.6062, -122.3321),
    ("United States", "US", "Colorado", "Denver", "80202", 39.7392, -104.9903),
    ("United States", "US", "Massachusetts", "Boston", "02108", 42.3601, -71.0589),
    ("United States", "US", "Georgia", "Atlanta", "30303", 33.7490, -84.3880),
    ("Canada", "CA", "Ontario", "Toronto", "M5H 2N2", 43.6532, -79.3832),
    ("Canada", "CA", "Quebec", "Montreal", "H2Y 1C6", 45.5017, -73.5673),
    ("Canada", "CA", "British Columbia", "Vancouver", "V6B 1A1", 49.2827, -123.1207),
    ("Canada", "CA", "Alberta", "Calgary", "T2P 1J9", 51.0447, -114.0719),
    ("Canada", "CA", "Alberta", "Edmonton", "T5J 0N3", 53.5461, -113.4938),
    ("Canada", "CA", "Ontario", "Ottawa", "K1P 1J1", 45.4215, -75.6972),
    ("Canada", "CA", "Manitoba", "Winnipeg", "R3C 0V8", 49.8951, -97.1384),
    ("Canada", "CA", "Quebec", "Quebec City", "G1R 4P5", 46.8139, -71.2080),
    ("Canada", "CA", "Ontario", "Hamilton", "L8P 4R5", 43.2557, -79.8711),
    ("Canada", "CA", "Nova Scotia", "Halifax", "B3J 3K5", 44.6488, -63.5752),
    ("United Kingdom", "GB", "England", "London", "EC1A 1BB", 51.5074, -0.1278),
    ("United Kingdom", "GB", "England", "Manchester", "M1 1AE", 53.4808, -2.2426),
    ("United Kingdom", "GB", "England", "Birmingham", "B1 1BB", 52.4862, -1.8904),
    ("United Kingdom", "GB", "England", "Leeds", "LS1 1UR", 53.8008, -1.5491),
    ("United Kingdom", "GB", "Scotland", "Glasgow", "G1 1XQ", 55.8642, -4.2518),
    ("United Kingdom", "GB", "Scotland", "Edinburgh", "EH1 1YZ", 55.9533, -3.1883),
    ("United Kingdom", "GB", "England", "Liverpool", "L1 8JQ", 53.4084, -2.9916),
    ("United Kingdom", "GB", "England", "Bristol", "BS1 4DJ", 51.4545, -2.5879),
    ("United Kingdom", "GB", "Wales", "Cardiff", "CF10 1EP", 51.4816, -3.1791),
    ("United Kingdom", "GB", "Northern Ireland", "Belfast", "BT1 5GS", 54.5973, -5.9301),
    ("Ireland", "IE", "Leinster", "Dublin", "D02 X285", 53.3498, -6.2603),
    ("Ireland", "IE", "Munster", "Cork", "T12 X70A", 51.8985, -8.4756),
    ("Ireland", "IE", "Connacht", "Galway", "H91 E2K3", 53.2707, -9.0568),
    ("Ireland", "IE", "Munster", "Limerick", "V94 E7P8", 52.6638, -8.6267),
    ("Ireland", "IE", "Munster", "Waterford", "X91 C9K2", 52.2593, -7.1101),
    ("Ireland", "IE", "Leinster", "Kilkenny", "R95 A39T", 52.6541, -7.2448),
    ("Ireland", "IE", "Leinster", "Drogheda", "A92 X2K7", 53.7179, -6.3561),
    ("Ireland", "IE", "Connacht", "Sligo", "F91 E2W3", 54.2766, -8.4761),
    ("Ireland", "IE", "Munster", "Tralee", "V92 D2CF", 52.2713, -9.6999),
    ("Ireland", "IE", "Ulster", "Letterkenny", "F92 R2KH", 54.9503, -7.7340),
    ("Germany", "DE", "Berlin", "Berlin", "10115", 52.5200, 13.4050),
    ("Germany", "DE", "Hamburg", "Hamburg", "20095", 53.5511, 9.9937),
    ("Germany", "DE", "Bavaria", "Munich", "80331", 48.1351, 11.5820),
    ("Germany", "DE", "North Rhine-Westphalia", "Cologne", "50667", 50.9375, 6.9603),
    ("Germany", "DE", "Hesse", "Frankfurt am Main", "60311", 50.1109, 8.6821),
    ("Germany", "DE", "Baden-Wurttemberg", "Stuttgart", "70173", 48.7758, 9.1829),
    ("Germany", "DE", "North Rhine-Westphalia", "Dusseldorf", "40213", 51.2277, 6.7735),
    ("Germany", "DE", "Saxony", "Leipzig", "04109", 51.3397, 12.3731),
    ("Germany", "DE", "Saxony", "Dresden", "01067", 51.0504, 13.7373),
    ("Germany", "DE", "Bavaria", "Nuremberg", "90402", 49.4521, 11.0767),
    ("France", "FR", "Ile-de-France", "Paris", "75001", 48.8566, 2.3522),
    ("France", "FR", "Provence-Alpes-Cote d'Azur", "Marseille", "13001", 43.2965, 5.3698),
    ("France", "FR", "Auvergne-Rhone-Alpes", "Lyon", "69001", 45.7640, 4.8357),
    ("France", "FR", "Occitanie", "Toulouse", "31000", 43.6047, 1.4442),
    ("France", "FR", "Provence-Alpes-Cote d'Azur", "Nice", "06000", 43.7102, 7.2620),
    ("France", "FR", "Pays de la Loire", "Nantes", "44000", 47.2184, -1.5536),
    ("France", "FR", "Grand Est", "Strasbourg", "67000", 48.5734, 7.7521),
    ("France", "FR", "Occitanie", "Montpellier", "34000", 43.6108, 3.8767),
    ("France", "FR", "Nouvelle-Aquitaine", "Bordeaux", "33000", 44.8378, -0.5792),
    ("France", "FR", "Hauts-de-France", "Lille", "59000", 50.6292, 3.0573),
    ("Spain", "ES", "Community of Madrid", "Madrid", "28013", 40.4168, -3.7038),
    ("Spain", "ES", "Catalonia", "Barcelona", "08002", 41.3851, 2.1734),
    ("Spain", "ES", "Valencian Community", "Valencia", "46002", 39.4699, -0.3763),
    ("Spain", "ES", "Andalusia", "Seville", "41004", 37.3891, -5.9845),
    ("Spain", "ES", "Aragon", "Zaragoza", "50001", 41.6488, -0.8891),
    ("Spain", "ES", "Andalusia", "Malaga", "29015", 36.7213, -4.4214),
    ("Spain", "ES", "Region of Murcia", "Murcia", "30004", 37.9922, -1.1307),
    ("Spain", "ES", "Balearic Islands", "Palma", "07001", 39.5696, 2.6502),
    ("Spain", "ES", "Basque Country", "Bilbao", "48005", 43.2630, -2.9350),
    ("Spain", "ES", "Castile and Leon", "Valladolid", "47001", 41.6523, -4.7245),
    ("Italy", "IT", "Lazio", "Rome", "00184", 41.9028, 12.4964),
    ("Italy", "IT", "Lombardy", "Milan", "20121", 45.4642, 9.1900),
    ("Italy", "IT", "Campania", "Naples", "80133", 40.8518, 14.2681),
    ("Italy", "IT", "Piedmont", "Turin", "10121", 45.0703, 7.6869),
    ("Italy", "IT", "Sicily", "Palermo", "90133", 38.1157, 13.3615),
    ("Italy", "IT", "Liguria", "Genoa", "16121", 44.4056, 8.9463),
    ("Italy", "IT", "Emilia-Romagna", "Bologna", "40121", 44.4949, 11.3426),
    ("Italy", "IT", "Tuscany", "Florence", "50122", 43.7696, 11.2558),
    ("Italy", "IT", "Veneto", "Venice", "30121", 45.4408, 12.3155),
    ("Italy", "IT", "Apulia", "Bari", "70121", 41.1171, 16.8719),
    ("Netherlands", "NL", "North Holland", "Amsterdam", "1012 JS", 52.3676, 4.9041),
    ("Netherlands", "NL", "South Holland", "Rotterdam", "3011 AD", 51.9244, 4.4777),
    ("Netherlands", "NL", "South Holland", "The Hague", "2511 CV", 52.0705, 4.3007),
    ("Netherlands", "NL", "Utrecht", "Utrecht", "3511 LX", 52.0907, 5.1214),
    ("Netherlands", "NL", "North Brabant", "Eindhoven", "5611 EM", 51.4416, 5.4697),
    ("Netherlands", "NL", "Groningen", "Groningen", "9711 LV", 53.2194, 6.5665),
    ("Netherlands", "NL", "North Brabant", "Tilburg", "5038 TB", 51.5555, 5.0913),
    ("Netherlands", "NL", "North Holland", "Haarlem", "2011 RD", 52.3874, 4.6462),
    ("Netherlands", "NL", "Gelderland", "Nijmegen", "6511 KA", 51.8126, 5.8372),
    ("Netherlands", "NL", "Gelderland", "Arnhem", "6811 CW", 51.9851, 5.8987),
    ("Sweden", "SE", "Stockholm County", "Stockholm", "111 20", 59.3293, 18.0686),
    ("Sweden", "SE", "Vastra Gotaland", "Gothenburg", "411 03", 57.7089, 11.9746),
    ("Sweden", "SE", "Skane", "Malmo", "211 20", 55.6050, 13.0038),
    ("Sweden", "SE", "Uppsala County", "Uppsala", "753 20", 59.8586, 17.6389),
    ("Sweden", "SE", "Vastmanland", "Vasteras", "722 15", 59.6099, 16.5448),
    ("Sweden", "SE", "Orebro County", "Orebro", "702 10", 59.2753, 15.2134),
    ("Sweden", "SE", "Ostergotland", "Linkoping", "582 24", 58.4108, 15.6214),
    ("Sweden", "SE", "Skane", "Helsingborg", "252 21", 56.0465, 12.6945),
    ("Sweden", "SE", "Jonkoping County", "Jonkoping", "553 20", 57.7826, 14.1618),
    ("Sweden", "SE", "Vasterbotten", "Umea", "903 26", 63.8258, 20.2630),
    ("Poland", "PL", "Masovia", "Warsaw", "00-001", 52.2297, 21.0122),
    ("Poland", "PL", "Lesser Poland", "Krakow", "31-001", 50.0647, 19.9450),
    ("Poland", "PL", "Lodz", "Lodz", "90-001", 51.7592, 19.4560),
    ("Poland", "PL", "Lower Silesia", "Wroclaw", "50-001", 51.1079, 17.0385),
    ("Poland", "PL", "Greater Poland", "Poznan", "60-001", 52.4064, 16.9252),
    ("Poland", "PL", "Pomerania", "Gdansk", "80-001", 54.3520, 18.6466),
    ("Poland", "PL", "West Pomerania", "Szczecin", "70-001", 53.4285, 14.5528),
    ("Poland", "PL", "Kuyavia-Pomerania", "Bydgoszcz", "85-001", 53.1235, 18.0084),
    ("Poland", "PL", "Lublin", "Lublin", "20-001", 51.2465, 22.5684),
    ("Poland", "PL", "Silesia", "Katowice", "40-001", 50.2649, 19.0238),
    ("Brazil", "BR", "Sao Paulo", "Sao Paulo", "01001-000", -23.5505, -46.6333),
    ("Brazil", "BR", "Rio de Janeiro", "Rio de Janeiro", "20010-000", -22.9068, -43.1729),
    ("Brazil", "BR", "Federal District", "Brasilia", "70040-010", -15.7939, -47.8828),
    ("Brazil", "BR", "Bahia", "Salvador", "40010-000", -12.9777, -38.5016),
    ("Brazil", "BR", "Ceara", "Fortaleza", "60010-000", -3.7319, -38.5267),
    ("Brazil", "BR", "Minas Gerais", "Belo Horizonte", "30110-000", -19.9167, -43.9345),
    ("Brazil", "BR", "Amazonas", "Manaus", "69005-000", -3.1190, -60.0217),
    ("Brazil", "BR", "Parana", "Curitiba", "80010-000", -25.4284, -49.2733),
    ("Brazil", "BR", "Pernambuco", "Recife", "50010-000", -8.0476, -34.8770),
    ("Brazil", "BR", "Rio Grande do Sul", "Porto Alegre", "90010-000", -30.0346, -51.2177),
    ("Mexico", "MX", "Mexico City", "Mexico City", "06000", 19.4326, -99.1332),
    ("Mexico", "MX", "Jalisco", "Guadalajara", "44100", 20.6597, -103.3496),
    ("Mexico", "MX", "Nuevo Leon", "Monterrey", "64000", 25.6866, -100.3161),
    ("Mexico", "MX", "Puebla", "Puebla", "72000", 19.0414, -98.2063),
    ("Mexico", "MX", "Baja California", "Tijuana", "22000", 32.5149, -117.0382),
    ("Mexico", "MX", "Guanajuato", "Leon", "37000", 21.1250, -101.6860),
    ("Mexico", "MX", "Chihuahua", "Ciudad Juarez", "32000", 31.6904, -106.4245),
    ("Mexico", "MX", "Yucatan", "Merida", "97000", 20.9674, -89.5926),
    ("Mexico", "MX", "Quintana Roo", "Cancun", "77500", 21.1619, -86.8515),
    ("Mexico", "MX", "Queretaro", "Queretaro", "76000", 20.5888, -100.3899),
    ("India", "IN", "Maharashtra", "Mumbai", "400001", 19.0760, 72.8777),
    ("India", "IN", "Delhi", "New Delhi", "110001", 28.6139, 77.2090),
    ("India", "IN", "Karnataka", "Bengaluru", "560001", 12.9716, 77.5946),
    ("India", "IN", "Telangana", "Hyderabad", "500001", 17.3850, 78.4867),
    ("India", "IN", "Tamil Nadu", "Chennai", "600001", 13.0827, 80.2707),
    ("India", "IN", "West Bengal", "Kolkata", "700001", 22.5726, 88.3639),
    ("India", "IN", "Maharashtra", "Pune", "411001", 18.5204, 73.8567),
    ("India", "IN", "Gujarat", "Ahmedabad", "380001", 23.0225, 72.5714),
    ("India", "IN", "Rajasthan", "Jaipur", "302001", 26.9124, 75.7873),
    ("India", "IN", "Uttar Pradesh", "Lucknow", "226001", 26.8467, 80.9462),
    ("Japan", "JP", "Tokyo", "Tokyo", "100-0001", 35.6762, 139.6503),
    ("Japan", "JP", "Kanagawa", "Yokohama", "231-0005", 35.4437, 139.6380),
    ("Japan", "JP", "Osaka", "Osaka", "530-0001", 34.6937, 135.5023),
    ("Japan", "JP", "Aichi", "Nagoya", "450-0002", 35.1815, 136.9066),
    ("Japan", "JP", "Hokkaido", "Sapporo", "060-0001", 43.0618, 141.3545),
    ("Japan", "JP", "Fukuoka", "Fukuoka", "810-0001", 33.5904, 130.4017),
    ("Japan", "JP", "Hyogo", "Kobe", "650-0001", 34.6901, 135.1955),
    ("Japan", "JP", "Kyoto", "Kyoto", "600-8001", 35.0116, 135.7681),
    ("Japan", "JP", "Miyagi", "Sendai", "980-0001", 38.2682, 140.8694),
    ("Japan", "JP", "Hiroshima", "Hiroshima", "730-0011", 34.3853, 132.4553),
    ("Australia", "AU", "New South Wales", "Sydney", "2000", -33.8688, 151.2093),
    ("Australia", "AU", "Victoria", "Melbourne", "3000", -37.8136, 144.9631),
    ("Australia", "AU", "Queensland", "Brisbane", "4000", -27.4698, 153.0251),
    ("Australia", "AU", "Western Australia", "Perth", "6000", -31.9505, 115.8605),
    ("Australia", "AU", "South Australia", "Adelaide", "5000", -34.9285, 138.6007),
    ("Australia", "AU", "Queensland", "Gold Coast", "4217", -28.0167, 153.4000),
    ("Australia", "AU", "Australian Capital Territory", "Canberra", "2601", -35.2809, 149.1300),
    ("Australia", "AU", "New South Wales", "Newcastle", "2300", -32.9283, 151.7817),
    ("Australia", "AU", "Tasmania", "Hobart", "7000", -42.8821, 147.3272),
    ("Australia", "AU", "Northern Territory", "Darwin", "0800", -12.4634, 130.8456),
    ("South Africa", "ZA", "Gauteng", "Johannesburg", "2001", -26.2041, 28.0473),
    ("South Africa", "ZA", "Western Cape", "Cape Town", "8001", -33.9249, 18.4241),
    ("South Africa", "ZA", "KwaZulu-Natal", "Durban", "4001", -29.8587, 31.0218),
    ("South Africa", "ZA", "Gauteng", "Pretoria", "0002", -25.7479, 28.2293),
    ("South Africa", "ZA", "Eastern Cape", "Gqeberha", "6001", -33.9608, 25.6022),
    ("South Africa", "ZA", "Free State", "Bloemfontein", "9301", -29.0852, 26.1596),
    ("South Africa", "ZA", "Eastern Cape", "East London", "5201", -33.0153, 27.9116),
    ("South Africa", "ZA", "KwaZulu-Natal", "Pietermaritzburg", "3201", -29.6006, 30.3794),
    ("South Africa", "ZA", "Western Cape", "Stellenbosch", "7600", -33.9321, 18.8602),
    ("South Africa", "ZA", "Limpopo", "Polokwane", "0699", -23.9045, 29.4689),
];

/// The place of a dimension row, named by its table, segment, entity index
/// within the segment and row within the entity (a reference row: its index).
pub(crate) fn place_of(seed: u64, table: &str, segment: &str, index: u64, row: u64) -> usize {
    let h = hash(
        seed,
        &[
            Part::Str("geo"),
            Part::Str(table),
            Part::Str(segment),
            Part::U64(index),
            Part::U64(row),
        ],
    );
    (h % PLACES.len() as u64) as usize
}

/// One field of place `i`.
pub(crate) fn cell(field: GeoField, i: usize) -> Cell {
    let (country, code, region, city, postcode, lat, lon) = PLACES[i % PLACES.len()];
    match field {
        GeoField::Country => Cell::Text(country.to_owned()),
        GeoField::CountryCode => Cell::Text(code.to_owned()),
        GeoField::Region => Cell::Text(region.to_owned()),
        GeoField::City => Cell::Text(city.to_owned()),
        GeoField::Postcode => Cell::Text(postcode.to_owned()),
        GeoField::Latitude => Cell::Float(lat),
        GeoField::Longitude => Cell::Float(lon),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventeen_countries_of_ten_places_each_with_plausible_coordinates() {
        let mut countries = std::collections::BTreeMap::new();
        for &(country, code, _, city, postcode, lat, lon) in PLACES {
            *countries.entry((country, code)).or_insert(0) += 1;
            assert!(
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
                "{city}"
            );
            assert!(!postcode.is_empty());
        }
        assert_eq!(countries.len(), 17);
        assert!(countries.values().all(|&n| n == 10), "{countries:?}");
        // Codes are unique per country.
        let codes: std::collections::BTreeSet<_> = countries.keys().map(|(_, c)| c).collect();
        assert_eq!(codes.len(), 17);
    }
}
