//! Where Kafka's default partitioner puts a keyed record: `murmur2` bit-exact with the Java
//! client's `Utils.murmur2` (and librdkafka's `murmur2_random`), plus librdkafka's default
//! `consistent_random` (CRC-32) for comparison. Pure. Used by `skew` (placement checks) and
//! partition-count planning.

/// Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`): seed `0x9747b28c`,
/// m = `0x5bd1e995`, r = 24, little-endian 4-byte chunks, Java `int` (wrapping, signed) arithmetic.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    // Java: `int h = seed ^ length` (the length as a 32-bit int).
    let mut h: u32 = SEED ^ (len as u32);
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    // Java's switch falls through from case 3 to case 1.
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(h: i32) -> i32 {
    h & 0x7fff_ffff
}

/// The partition the Java client's default partitioner (and librdkafka's `murmur2_random`) picks
/// for a non-null key: `to_positive(murmur2(key)) % num_partitions`. `None` when `num_partitions <
/// 1`. Records with a null key are not placed by hash (sticky or random), so they have no answer
/// here.
pub fn default_partition(key: &[u8], num_partitions: i32) -> Option<i32> {
    (num_partitions >= 1).then(|| to_positive(murmur2(key)) % num_partitions)
}

/// A short, stable fingerprint of a key for output that must not show the key itself: the murmur2
/// hash as 8 lowercase hex digits.
pub fn key_hash(key: &[u8]) -> String {
    format!("{:08x}", murmur2(key) as u32)
}

/// CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`, as zlib's `crc32`), the hash of
/// librdkafka's `rd_crc32`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// The partition librdkafka's default partitioner (`consistent_random`) picks for a non-null key:
/// `crc32(key) % num_partitions`. Clients built on librdkafka (confluent-kafka-python, -go,
/// -dotnet, rust-rdkafka) use it unless `partitioner=murmur2_random` is set, so they place keys
/// differently from Java clients. `None` when `num_partitions < 1`.
pub fn librdkafka_consistent_partition(key: &[u8], num_partitions: i32) -> Option<i32> {
    (num_partitions >= 1).then(|| (crc32(key) % num_partitions as u32) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// librdkafka `src/rdmurmur2.c`, `unittest_murmur2()`: `java_murmur2_results`, "validated
    /// against Java Kafka output". The C test also hashes a NULL pointer (length 0), which equals
    /// "".
    const LIBRDKAFKA_VECTORS: &[(&[u8], u32)] = &[
        (b"kafka", 0xd067cf64),
        (b"giberish123456789", 0x8f552b0c),
        (b"1234", 0x9fc97b14),
        (b"234", 0xe7c009ca),
        (b"34", 0x873930da),
        (b"4", 0x5a4b5ca1),
        (b"PreAmbleWillBeRemoved,ThePrePartThatIs", 0x78424f1c),
        (b"reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62b377),
        (b"eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4e09e),
        (b"AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8b43f),
        (b"", 0x106e08d9),
    ];

    /// Kafka `clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java`, `testMurmur2`.
    const KAFKA_UTILS_TEST_VECTORS: &[(&[u8], i32)] = &[
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (
            b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            -58897971,
        ),
        (b"abc", 479470107),
    ];

    #[test]
    fn matches_librdkafka_java_results() {
        for (key, want) in LIBRDKAFKA_VECTORS {
            assert_eq!(
                murmur2(key),
                *want as i32,
                "{:?}",
                String::from_utf8_lossy(key)
            );
        }
    }

    #[test]
    fn matches_kafka_utils_test() {
        for (key, want) in KAFKA_UTILS_TEST_VECTORS {
            assert_eq!(murmur2(key), *want, "{:?}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn old_librdkafka_positive_values_agree() {
        // Older librdkafka (`unittest_murmurhashneutral2`) listed the sign-cleared values:
        // kafka 1348980580, amqp 767747138, giberish123456789 257239820.
        assert_eq!(to_positive(murmur2(b"kafka")), 1_348_980_580);
        assert_eq!(to_positive(murmur2(b"amqp")), 767_747_138);
        assert_eq!(to_positive(murmur2(b"giberish123456789")), 257_239_820);
    }

    #[test]
    fn to_positive_clears_only_the_sign_bit() {
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
        assert_eq!(to_positive(-798_503_068), 1_348_980_580);
    }

    #[test]
    fn default_partition_is_positive_hash_mod_n() {
        // kafka: 0xd067cf64 & 0x7fffffff = 1348980580; 1348980580 % 6 = 4 (6 × 224830096 =
        // 1348980576).
        assert_eq!(default_partition(b"kafka", 6), Some(4));
        assert_eq!(default_partition(b"kafka", 1), Some(0));
        assert_eq!(default_partition(b"kafka", 0), None);
        assert_eq!(default_partition(b"kafka", -3), None);
        for (key, _) in LIBRDKAFKA_VECTORS {
            let p = default_partition(key, 7).unwrap();
            assert!((0..7).contains(&p));
        }
    }

    /// The fixture cluster's `orders` topic got 5000 records keyed `customer-(i mod 997)` from a
    /// librdkafka producer with `partitioner=murmur2_random` (fixtures/real-kafka-4.0/README.md),
    /// and its end offsets were 896 / 850 / 769 / 857 / 782 / 846 (`healthy/list_offsets.json`).
    #[test]
    fn reproduces_fixture_orders_end_offsets() {
        let mut counts = [0i64; 6];
        for i in 0..5000 {
            let key = format!("customer-{}", i % 997);
            counts[default_partition(key.as_bytes(), 6).unwrap() as usize] += 1;
        }
        assert_eq!(counts, [896, 850, 769, 857, 782, 846]);
    }

    #[test]
    fn key_hash_is_eight_hex_digits_of_murmur2() {
        assert_eq!(key_hash(b"kafka"), "d067cf64");
        assert_eq!(key_hash(b""), "106e08d9");
    }

    #[test]
    fn crc32_check_values() {
        // The standard CRC-32 check value ("123456789" -> 0xCBF43926) and the empty input.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414f_a339
        );
        assert_eq!(
            librdkafka_consistent_partition(b"123456789", 10),
            Some((0xcbf4_3926u32 % 10) as i32)
        );
        assert_eq!(librdkafka_consistent_partition(b"x", 0), None);
    }
}
