//! Endpoints and grants by endpoint key, each key encoded on its own: the catalog cache
//! keeps a lookup's data this way, so one `permcat which` decodes the few keys its
//! requests reach instead of the 43,000 grants and 11,000 endpoints of the catalog.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::{Catalog, Endpoint, Grant};

/// The endpoints (every method) and grants of one key, in catalog order.
/// Encoded without the key in its endpoints and grants, which is put back on decoding.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct KeyEntry {
    /// The key's endpoints, by method.
    pub endpoints: Vec<Endpoint>,
    /// The grants naming the key, in catalog order.
    pub grants: Vec<Grant>,
}

/// Every endpoint key of a catalog with its [`KeyEntry`] encoded separately, decoded
/// when a lookup first reaches it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct KeyedGrants {
    /// The endpoint keys, sorted and distinct.
    keys: Vec<String>,
    /// Where each key's entry ends in `blob`; the first starts at 0.
    ends: Vec<u64>,
    /// The postcard encodings of the entries, one after the other.
    blob: Blob,
    /// The entries decoded so far.
    #[serde(skip)]
    decoded: OnceLock<Box<[OnceLock<Option<KeyEntry>>]>>,
    /// Whether an entry failed to decode (a damaged cache file the checksum missed).
    #[serde(skip)]
    damaged: AtomicBool,
}

impl KeyedGrants {
    /// The endpoints and grants of `catalog` by key. Grants of a key no endpoint has
    /// are left out: a lookup reaches a key through its endpoints only.
    pub fn from_catalog(catalog: &Catalog) -> KeyedGrants {
        let mut keys: Vec<&str> = catalog.endpoints.iter().map(|e| e.key.as_str()).collect();
        keys.dedup();
        let mut grants: Vec<Vec<&Grant>> = vec![Vec::new(); keys.len()];
        for g in &catalog.grants {
            if let Ok(i) = keys.binary_search(&g.key.as_str()) {
                grants[i].push(g);
            }
        }
        let mut blob = Vec::new();
        let mut ends = Vec::with_capacity(keys.len());
        let mut at = 0;
        for (key, grants) in keys.iter().zip(grants) {
            let n = catalog.endpoints[at..]
                .iter()
                .take_while(|e| e.key == *key)
                .count();
            // The key is the entry's own, so it is left out of each endpoint and grant
            // and put back when the entry is decoded.
            let entry = KeyEntry {
                endpoints: catalog.endpoints[at..at + n]
                    .iter()
                    .map(|e| Endpoint {
                        key: String::new(),
                        ..e.clone()
                    })
                    .collect(),
                grants: grants
                    .into_iter()
                    .map(|g| Grant {
                        key: String::new(),
                        ..g.clone()
                    })
                    .collect(),
            };
            at += n;
            // Encoding derived structs into a Vec does not fail; if it ever did, the
            // entry would be empty, which reads back as damaged, never as no grants.
            if let Ok(bytes) = postcard::to_stdvec(&entry) {
                blob.extend_from_slice(&bytes);
            }
            ends.push(blob.len() as u64);
        }
        KeyedGrants {
            keys: keys.into_iter().map(str::to_string).collect(),
            ends,
            blob: Blob(blob),
            decoded: OnceLock::new(),
            damaged: AtomicBool::new(false),
        }
    }

    /// The endpoint keys, sorted.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The entry of `key`, decoded on first use; `None` for an unknown key or one whose
    /// encoding does not decode ([`KeyedGrants::is_damaged`] then says so).
    pub fn entry(&self, key: &str) -> Option<&KeyEntry> {
        let i = self.keys.binary_search_by(|k| k.as_str().cmp(key)).ok()?;
        let decoded = self
            .decoded
            .get_or_init(|| (0..self.keys.len()).map(|_| OnceLock::new()).collect());
        decoded
            .get(i)?
            .get_or_init(|| {
                // `ends` comes from the cache file: any of it may be missing or out of
                // order, which reads as damaged.
                let start = match i {
                    0 => Some(0),
                    _ => self.ends.get(i - 1).copied(),
                };
                let bytes = start
                    .zip(self.ends.get(i).copied())
                    .and_then(|(start, end)| self.blob.0.get(start as usize..end as usize));
                let mut entry = bytes.and_then(|b| postcard::from_bytes::<KeyEntry>(b).ok());
                if let Some(entry) = &mut entry {
                    let key = &self.keys[i];
                    for e in &mut entry.endpoints {
                        e.key.clone_from(key);
                    }
                    for g in &mut entry.grants {
                        g.key.clone_from(key);
                    }
                }
                if entry.is_none() {
                    self.damaged.store(true, Ordering::Relaxed);
                }
                entry
            })
            .as_ref()
    }

    /// Whether some entry did not decode: answers given from this value may lack
    /// endpoints or grants, so they must not be shown.
    pub fn is_damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed) || self.ends.len() != self.keys.len()
    }
}

/// Bytes that serde encodes and decodes as one run, not element by element.
#[derive(Debug, Default)]
struct Blob(Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Blob;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob(v))
            }
        }
        d.deserialize_byte_buf(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The linked catalog of the bundled sample data.
    fn sample_catalog() -> Catalog {
        let data = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        crate::load(data).unwrap().0
    }

    #[test]
    fn every_key_decodes_to_its_endpoints_and_grants() {
        let catalog = sample_catalog();
        let keyed = KeyedGrants::from_catalog(&catalog);
        let bytes = postcard::to_stdvec(&keyed).unwrap();
        let keyed: KeyedGrants = postcard::from_bytes(&bytes).unwrap();
        let mut endpoints = 0;
        for key in keyed.keys() {
            let entry = keyed.entry(key).unwrap();
            endpoints += entry.endpoints.len();
            assert!(entry.endpoints.iter().all(|e| &e.key == key));
            let expected: Vec<&Grant> = catalog.grants.iter().filter(|g| &g.key == key).collect();
            assert_eq!(entry.grants.iter().collect::<Vec<_>>(), expected);
        }
        assert_eq!(endpoints, catalog.endpoints.len());
        assert!(keyed.entry("/no/such/key").is_none());
        assert!(!keyed.is_damaged());
    }

    #[test]
    fn a_damaged_entry_is_reported_not_read_as_empty() {
        let catalog = sample_catalog();
        let mut keyed = KeyedGrants::from_catalog(&catalog);
        let key = keyed.keys()[0].clone();
        let end = keyed.ends[0] as usize;
        keyed.blob.0[..end].fill(0xff);
        assert!(keyed.entry(&key).is_none());
        assert!(keyed.is_damaged());
    }

    #[test]
    fn a_shortened_list_of_entry_ends_is_damage_not_a_panic() {
        let catalog = sample_catalog();
        let mut keyed = KeyedGrants::from_catalog(&catalog);
        let last = keyed.keys().last().unwrap().clone();
        keyed.ends.truncate(1);
        assert!(keyed.entry(&last).is_none());
        assert!(keyed.is_damaged());
    }
}
