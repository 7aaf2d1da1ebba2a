//! Zero-initialised arrays for the N × N data that every step streams (Z0 and its
//! supplier shares), placed where the kernel can back them with 2 MiB pages.
//!
//! Why: a step reads Z0 from memory front to back. On 4 KiB pages the CPU's stream
//! prefetchers stop at every page boundary and each page costs a TLB walk (two-level
//! under virtualisation), so a two-thread read of 50 MB took 3.2–3.9 ms here against
//! 2.6–2.8 ms on transparent huge pages (best of 57 reads, three runs each; docs/engine.md,
//! Speed). Linux hands
//! out huge pages to ordinary allocations only when asked (`madvise`, the common default
//! of `/sys/kernel/mm/transparent_hugepage/enabled`), so large arrays are anonymous
//! mappings, 2 MiB-aligned, advised `MADV_HUGEPAGE`. Anywhere that fails (another OS, no
//! THP, a refused mapping), the array is an ordinary heap allocation: same contents,
//! only the speed differs.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;

/// Arrays smaller than this stay on the heap: they fit in cache, or gain too little
/// to be worth a mapping of their own.
const MAPPED_FROM_BYTES: usize = 4 << 20;

/// The huge-page size the mapping is aligned to.
const HUGE_PAGE: usize = 2 << 20;

/// A fixed-length array of `T`, zero at creation.
pub(crate) struct BigArray<T: Pod> {
    backing: Backing<T>,
}

enum Backing<T> {
    Heap(Vec<T>),
    /// `len` values from byte `offset` of the mapping (the first 2 MiB boundary).
    Mapped {
        map: memmap2::MmapMut,
        offset: usize,
        len: usize,
    },
}

impl<T: Pod> BigArray<T> {
    /// `len` zero values.
    pub fn zeroed(len: usize) -> Self {
        let bytes = len.saturating_mul(std::mem::size_of::<T>());
        let backing = (bytes >= MAPPED_FROM_BYTES)
            .then(|| mapped(len, bytes))
            .flatten()
            .unwrap_or_else(|| Backing::Heap(vec![T::zeroed(); len]));
        BigArray { backing }
    }

    /// Whether the array lives in its own huge-page-advised mapping.
    #[cfg(test)]
    pub fn is_mapped(&self) -> bool {
        matches!(self.backing, Backing::Mapped { .. })
    }
}

/// An anonymous mapping with room to start on a 2 MiB boundary, advised for huge
/// pages; `None` when the OS refuses either.
fn mapped<T: Pod>(len: usize, bytes: usize) -> Option<Backing<T>> {
    let map = memmap2::MmapMut::map_anon(bytes.checked_add(HUGE_PAGE)?).ok()?;
    let offset = (map.as_ptr() as usize).next_multiple_of(HUGE_PAGE) - map.as_ptr() as usize;
    huge_page_advice(&map, offset, bytes)?;
    Some(Backing::Mapped { map, offset, len })
}

#[cfg(target_os = "linux")]
fn huge_page_advice(map: &memmap2::MmapMut, offset: usize, bytes: usize) -> Option<()> {
    map.advise_range(memmap2::Advice::HugePage, offset, bytes)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn huge_page_advice(_: &memmap2::MmapMut, _: usize, _: usize) -> Option<()> {
    None
}

impl<T: Pod> Deref for BigArray<T> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        match &self.backing {
            Backing::Heap(v) => v,
            Backing::Mapped { map, offset, len } => {
                bytemuck::cast_slice(&map[*offset..][..len * std::mem::size_of::<T>()])
            }
        }
    }
}

impl<T: Pod> DerefMut for BigArray<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.backing {
            Backing::Heap(v) => v,
            Backing::Mapped { map, offset, len } => {
                bytemuck::cast_slice_mut(&mut map[*offset..][..*len * std::mem::size_of::<T>()])
            }
        }
    }
}

impl<T: Pod> Clone for BigArray<T> {
    fn clone(&self) -> Self {
        let mut copy = BigArray::zeroed(self.len());
        copy.copy_from_slice(self);
        copy
    }
}

impl<T: Pod> fmt::Debug for BigArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.backing {
            Backing::Heap(_) => "heap",
            Backing::Mapped { .. } => "huge-page mapping",
        };
        write!(f, "BigArray({} values, {place})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_arrays_stay_on_the_heap_and_start_at_zero() {
        let a = BigArray::<f64>::zeroed(1000);
        assert!(!a.is_mapped());
        assert_eq!(a.len(), 1000);
        assert!(a.iter().all(|&v| v.to_bits() == 0));
    }

    #[test]
    fn large_arrays_are_zero_writable_aligned_and_clone_their_values() {
        let len = (MAPPED_FROM_BYTES / 8) * 3 + 5;
        let mut a = BigArray::<f64>::zeroed(len);
        assert_eq!(a.len(), len);
        assert!(a.iter().all(|&v| v.to_bits() == 0));
        for (k, v) in a.iter_mut().enumerate() {
            *v = k as f64 * 0.5;
        }
        if a.is_mapped() {
            assert_eq!(a.as_ptr() as usize % HUGE_PAGE, 0);
        }
        let b = a.clone();
        assert_eq!(b.len(), len);
        assert!(b.iter().enumerate().all(|(k, &v)| v == k as f64 * 0.5));
        assert!(format!("{a:?}").starts_with(&format!("BigArray({len} values, ")));
    }

    #[test]
    fn large_integer_arrays_hold_what_is_written() {
        let len = MAPPED_FROM_BYTES / 4 + 3;
        let mut a = BigArray::<u32>::zeroed(len);
        for (k, v) in a.iter_mut().enumerate() {
            *v = k as u32;
        }
        assert!(a.iter().enumerate().all(|(k, &v)| v == k as u32));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn large_arrays_are_mapped_where_the_kernel_has_huge_pages() {
        let thp = std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists();
        let a = BigArray::<f64>::zeroed(MAPPED_FROM_BYTES / 8);
        assert_eq!(a.is_mapped(), thp, "{a:?}");
    }
}
