//! Complete result orders kept per index generation, so that paging through one result set
//! (a harvester reading `/catalog.ttl?page=1…N`, or `package_search` with a growing `start`)
//! sorts the matches once instead of once per page. Any write makes a new generation, and
//! entries of an older generation are never served (document addresses change with it).

use std::sync::{Arc, Mutex};

use tantivy::DocAddress;

/// How many result orders are kept (different queries paged at the same time).
const KEPT: usize = 4;

/// Every match of one query, in sort order.
pub type Order = Arc<Vec<DocAddress>>;

#[derive(Default)]
pub struct Orders {
    /// (index generation, query fingerprint, order), most recently used last.
    entries: Mutex<Vec<(u64, String, Order)>>,
}

impl Orders {
    /// Returns the order of `fingerprint` computed for `generation`, if kept.
    pub fn get(&self, generation: u64, fingerprint: &str) -> Option<Order> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let index = entries.iter().position(|(g, f, _)| *g == generation && f == fingerprint)?;
        let entry = entries.remove(index);
        let order = entry.2.clone();
        entries.push(entry);
        Some(order)
    }

    /// Keeps `order`, dropping entries of other generations and the least recently used.
    pub fn insert(&self, generation: u64, fingerprint: String, order: Order) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(g, f, _)| *g == generation && *f != fingerprint);
        if entries.len() >= KEPT {
            entries.remove(0);
        }
        entries.push((generation, fingerprint, order));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(docs: &[u32]) -> Order {
        Arc::new(docs.iter().map(|d| DocAddress::new(0, *d)).collect())
    }

    #[test]
    fn orders_are_kept_per_generation_and_fingerprint() {
        let orders = Orders::default();
        orders.insert(1, "a".into(), order(&[3, 1]));
        assert_eq!(orders.get(1, "a").as_deref(), Some(&vec![DocAddress::new(0, 3), DocAddress::new(0, 1)]));
        assert!(orders.get(2, "a").is_none(), "another generation never sees the order");
        assert!(orders.get(1, "b").is_none());
        orders.insert(2, "b".into(), order(&[1]));
        assert!(orders.get(1, "a").is_none(), "a newer generation drops older orders");
    }

    #[test]
    fn the_least_recently_used_order_goes_first() {
        let orders = Orders::default();
        for (n, fingerprint) in ["a", "b", "c", "d"].iter().enumerate() {
            orders.insert(7, (*fingerprint).into(), order(&[n as u32]));
        }
        assert!(orders.get(7, "a").is_some());
        orders.insert(7, "e".into(), order(&[9]));
        assert!(orders.get(7, "b").is_none(), "b was the least recently used");
        assert!(orders.get(7, "a").is_some() && orders.get(7, "e").is_some());
    }
}
