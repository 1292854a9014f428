//! Merging the derived facts of an account ([`crate::analysis`]) into the
//! facts rules see: the derived tree has the account's shape, and each of its
//! fields is added where it belongs (`u.admin` on each user…).

use std::collections::HashMap;

use cel::common::types::{CelList, CelMap, CelMapKey};
use cel::common::value::Val;

use super::unavailable::is_unavailable;
use super::value::{Facts, Shared};

/// `facts` with every field of `derived` added at the same place. A part of
/// `facts` that is unavailable stays so (nothing is derived from a section
/// that could not be read); lists are merged element by element.
pub fn merge(facts: &(dyn Val + 'static), derived: &(dyn Val + 'static)) -> Facts {
    if is_unavailable(facts) {
        return facts.clone_as_boxed();
    }
    if let (Some(f), Some(d)) = (
        facts.downcast_ref::<CelMap>(),
        derived.downcast_ref::<CelMap>(),
    ) {
        let mut out: HashMap<CelMapKey<'static>, Facts> = f
            .inner()
            .iter()
            .map(|(k, v)| (k.clone().into_static(), v.clone_as_boxed()))
            .collect();
        for (k, dv) in d.inner().iter() {
            let key = k.clone().into_static();
            let merged = match out.get(&key) {
                Some(fv) => merge(&**fv, &**dv),
                None => dv.clone_as_boxed(),
            };
            out.insert(key, merged);
        }
        return Shared::boxed(CelMap::from(out));
    }
    if let (Ok(f), Ok(d)) = (
        <&[Box<dyn Val>]>::try_from(facts),
        <&[Box<dyn Val>]>::try_from(derived),
    ) {
        if f.len() == d.len() {
            return Shared::boxed(CelList::from(
                f.iter()
                    .zip(d)
                    .map(|(fv, dv)| merge(&**fv, &**dv))
                    .collect::<Vec<_>>(),
            ));
        }
    }
    facts.clone_as_boxed()
}
