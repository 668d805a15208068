//! Memory and file systems as HOST-RESOURCES-MIB `hrStorageTable` rows (RFC 2790 §4.2),
//! from `/proc/meminfo`, `/proc/mounts` and `statvfs(3)`, with the rows, indexes and
//! descriptions Net-SNMP's `snmpd` serves on Linux.

use nix::sys::statvfs::statvfs;

use super::HostPaths;

/// The `/proc/meminfo` figures the storage rows need, in KiB (missing lines read as 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemInfo {
    /// `MemTotal`.
    pub total: u64,
    /// `MemFree`.
    pub free: u64,
    /// `MemAvailable` (kernels since 3.14).
    pub available: Option<u64>,
    /// `Buffers`.
    pub buffers: u64,
    /// `Cached`.
    pub cached: u64,
    /// `SReclaimable`: reclaimable slab, counted as cache as `free(1)` and Net-SNMP do.
    pub slab_reclaimable: u64,
    /// `Shmem`.
    pub shared: u64,
    /// `SwapTotal`.
    pub swap_total: u64,
    /// `SwapFree`.
    pub swap_free: u64,
}

impl MemInfo {
    /// Parses `/proc/meminfo` (`Key:   value kB` lines; others are skipped).
    pub fn parse(text: &str) -> Self {
        let mut info = Self::default();
        for line in text.lines() {
            let Some((key, rest)) = line.split_once(':') else {
                continue;
            };
            let Some(value) = rest.split_whitespace().next().and_then(|v| v.parse().ok()) else {
                continue;
            };
            match key.trim() {
                "MemTotal" => info.total = value,
                "MemFree" => info.free = value,
                "MemAvailable" => info.available = Some(value),
                "Buffers" => info.buffers = value,
                "Cached" => info.cached = value,
                "SReclaimable" => info.slab_reclaimable = value,
                "Shmem" => info.shared = value,
                "SwapTotal" => info.swap_total = value,
                "SwapFree" => info.swap_free = value,
                _ => {}
            }
        }
        info
    }
}

/// `hrStorageType` values: the arcs under `hrStorageTypes` (1.3.6.1.2.1.25.2.1, RFC 2790).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// hrStorageOther.
    Other = 1,
    /// hrStorageRam.
    Ram = 2,
    /// hrStorageVirtualMemory.
    VirtualMemory = 3,
    /// hrStorageFixedDisk.
    FixedDisk = 4,
    /// hrStorageRemovableDisk.
    RemovableDisk = 5,
    /// hrStorageFloppyDisk.
    FloppyDisk = 6,
    /// hrStorageCompactDisc.
    CompactDisc = 7,
    /// hrStorageRamDisk.
    RamDisk = 8,
    /// hrStorageFlashMemory.
    FlashMemory = 9,
    /// hrStorageNetworkDisk.
    NetworkDisk = 10,
}

impl StorageType {
    /// The last arc of the type's OID under `hrStorageTypes`.
    pub fn arc(self) -> u32 {
        self as u32
    }
}

/// One `hrStorageEntry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageEntry {
    /// `hrStorageIndex`.
    pub index: u32,
    /// `hrStorageType`.
    pub kind: StorageType,
    /// `hrStorageDescr`.
    pub descr: String,
    /// `hrStorageAllocationUnits`, in bytes.
    pub allocation_units: u32,
    /// `hrStorageSize`, in allocation units (fits `Integer32`: see [`fit_units`]).
    pub size: u32,
    /// `hrStorageUsed`, in allocation units.
    pub used: u32,
}

/// One mounted file system from `/proc/mounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The position of its mount point among the distinct mount points (from 1): Net-SNMP's
    /// `hrFSIndex`, and `hrStorageIndex` less [`FS_INDEX_BASE`].
    pub fs_index: u32,
    /// The mounted device or source.
    pub device: String,
    /// The mount point, with `/proc/mounts` octal escapes decoded.
    pub mount_point: String,
    /// The file system type.
    pub fs_type: String,
    /// Mounted read-only (the `ro` option).
    pub read_only: bool,
}

/// Block counts of a mounted file system, as `statvfs(3)` gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsStats {
    /// `f_frsize`: the unit of the block counts, in bytes.
    pub fragment_size: u64,
    /// `f_blocks`.
    pub blocks: u64,
    /// `f_bfree`.
    pub blocks_free: u64,
}

/// The memory rows of `hrStorageTable`, as Net-SNMP 5.9 serves them on Linux: Physical
/// memory (1), Virtual memory (3), Memory buffers (6), Cached memory (7), Shared memory (8),
/// Swap space (10) and Available memory (11, when the kernel reports it), in KiB units.
pub fn memory_storage(info: &MemInfo) -> Vec<StorageEntry> {
    let physical_used = info.total.saturating_sub(info.free);
    let swap_used = info.swap_total.saturating_sub(info.swap_free);
    let cached = info.cached.saturating_add(info.slab_reclaimable);
    let mut rows = vec![
        memory_row(
            1,
            StorageType::Ram,
            "Physical memory",
            info.total,
            physical_used,
        ),
        memory_row(
            3,
            StorageType::VirtualMemory,
            "Virtual memory",
            info.total.saturating_add(info.swap_total),
            physical_used.saturating_add(swap_used),
        ),
        memory_row(
            6,
            StorageType::Other,
            "Memory buffers",
            info.total,
            info.buffers,
        ),
        memory_row(7, StorageType::Other, "Cached memory", cached, cached),
        memory_row(
            8,
            StorageType::Other,
            "Shared memory",
            info.shared,
            info.shared,
        ),
        memory_row(
            10,
            StorageType::VirtualMemory,
            "Swap space",
            info.swap_total,
            swap_used,
        ),
    ];
    if let Some(available) = info.available {
        rows.push(memory_row(
            11,
            StorageType::Other,
            "Available memory",
            available,
            0,
        ));
    }
    rows
}

/// Parses `/proc/mounts` into distinct mount points numbered from 1 in order of first
/// appearance; a mount point mounted again over itself keeps its first number and its
/// latest device and type. Lines with fewer than three fields are skipped.
pub fn parse_mounts(text: &str) -> Vec<Mount> {
    let mut mounts: Vec<Mount> = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let (Some(device), Some(mount_point), Some(fs_type)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mount_point = unescape_mount_field(mount_point);
        let read_only = fields
            .next()
            .is_some_and(|options| options.split(',').any(|option| option == "ro"));
        if let Some(known) = mounts.iter_mut().find(|m| m.mount_point == mount_point) {
            known.device = unescape_mount_field(device);
            fs_type.clone_into(&mut known.fs_type);
            known.read_only = read_only;
            continue;
        }
        let Ok(fs_index) = u32::try_from(mounts.len() + 1) else {
            break;
        };
        mounts.push(Mount {
            fs_index,
            device: unescape_mount_field(device),
            mount_point,
            fs_type: fs_type.to_owned(),
            read_only,
        });
    }
    mounts
}

/// The storage type a file system type is reported under, `None` for the pseudo file
/// systems (`proc`, `sysfs`, `cgroup`, `devpts`, `devtmpfs`, …) that `snmpd` leaves out.
pub fn filesystem_type(fs_type: &str) -> Option<StorageType> {
    Some(match fs_type {
        "nfs" | "nfs4" | "cifs" | "smbfs" | "smb3" | "afs" | "ncpfs" => StorageType::NetworkDisk,
        "iso9660" | "udf" => StorageType::CompactDisc,
        "ext2" | "ext3" | "ext4" | "xfs" | "btrfs" | "jfs" | "reiserfs" | "zfs" | "f2fs"
        | "tmpfs" | "vfat" | "msdos" | "exfat" | "ntfs" | "ntfs3" | "hfs" | "hfsplus"
        | "fuseblk" | "bcachefs" => StorageType::FixedDisk,
        _ => return None,
    })
}

/// The `hrFSType` of a file system type: the arc under `hrFSTypes` (1.3.6.1.2.1.25.3.9,
/// RFC 2790), as Net-SNMP maps Linux types; hrFSOther(1) for the rest.
pub fn filesystem_fs_type(fs_type: &str) -> u32 {
    match fs_type {
        "msdos" => 5,
        "hfs" | "hfsplus" => 7,
        "ntfs" | "ntfs3" => 9,
        "iso9660" => 12,
        "nfs" | "nfs4" => 14,
        "afs" => 16,
        "vfat" | "exfat" => 22,
        "ext2" | "ext3" | "ext4" => 23,
        _ => 1,
    }
}

/// The mounted file systems `hrStorageTable` and `hrFSTable` report, with their storage
/// type, in `/proc/mounts` order.
pub fn read_filesystems(paths: &HostPaths) -> Vec<(Mount, StorageType)> {
    paths
        .proc_text("mounts")
        .map(|text| parse_mounts(&text))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|mount| {
            let kind = filesystem_type(&mount.fs_type)?;
            Some((mount, kind))
        })
        .collect()
}

/// The `hrStorageTable` row of a mounted file system: index [`FS_INDEX_BASE`] +
/// `fs_index`, description the mount point, sizes from `stats`.
pub fn filesystem_storage(mount: &Mount, kind: StorageType, stats: FsStats) -> StorageEntry {
    let used = stats.blocks.saturating_sub(stats.blocks_free);
    let (allocation_units, size, used) = fit_units(stats.fragment_size, stats.blocks, used);
    StorageEntry {
        index: FS_INDEX_BASE.saturating_add(mount.fs_index),
        kind,
        descr: mount.mount_point.clone(),
        allocation_units,
        size,
        used,
    }
}

/// Scales `(unit, size, used)` so that size and used fit `Integer32` (0..2^31-1) as
/// `hrStorageSize` and `hrStorageUsed` require: the unit doubles and the counts halve
/// until they fit, as Net-SNMP does for large file systems. A unit that would itself
/// overflow `Integer32` is capped there.
pub fn fit_units(unit: u64, size: u64, used: u64) -> (u32, u32, u32) {
    let (mut unit, mut size, mut used) = (unit.max(1), size, used.min(size));
    while size > MAX_INTEGER32 && unit <= MAX_INTEGER32 / 2 {
        unit *= 2;
        size /= 2;
        used /= 2;
    }
    let clamp = |v: u64| u32::try_from(v.min(MAX_INTEGER32)).unwrap_or(0);
    (clamp(unit), clamp(size), clamp(used))
}

/// Reads every storage row of the host: memory first, then each reported file system.
///
/// A file system whose `statvfs` fails (unmounted meanwhile, permission) is left out.
/// `statvfs` on a hung network mount blocks, as it does for `snmpd`.
pub fn read_storage(paths: &HostPaths) -> Vec<StorageEntry> {
    let info = paths
        .proc_text("meminfo")
        .map(|text| MemInfo::parse(&text))
        .unwrap_or_default();
    let mut rows = memory_storage(&info);
    for (mount, kind) in read_filesystems(paths) {
        let Ok(stats) = statvfs(mount.mount_point.as_str()) else {
            continue;
        };
        let stats = FsStats {
            fragment_size: widen(stats.fragment_size()),
            blocks: widen(stats.blocks()),
            blocks_free: widen(stats.blocks_free()),
        };
        rows.push(filesystem_storage(&mount, kind, stats));
    }
    rows
}

/// A memory row in KiB units.
fn memory_row(index: u32, kind: StorageType, descr: &str, size: u64, used: u64) -> StorageEntry {
    let (allocation_units, size, used) = fit_units(KIB, size, used);
    StorageEntry {
        index,
        kind,
        descr: descr.to_owned(),
        allocation_units,
        size,
        used,
    }
}

/// Decodes the `\ooo` octal escapes `/proc/mounts` uses for space, tab, newline and `\`.
fn unescape_mount_field(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|digits| byte == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)))
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 8).ok());
        match octal {
            Some(decoded) => {
                out.push(decoded);
                i += 4;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Widens a `statvfs` field (`c_ulong`/`fsblkcnt_t`, 32 or 64 bits by platform) to `u64`.
fn widen(value: impl Into<u64>) -> u64 {
    value.into()
}

/// `hrStorageIndex` of a file system: this base plus its `hrFSIndex`, as in Net-SNMP.
pub const FS_INDEX_BASE: u32 = 30;
/// One KiB, the unit of `/proc/meminfo`.
const KIB: u64 = 1024;
/// The largest `Integer32`.
const MAX_INTEGER32: u64 = 0x7FFF_FFFF;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixture(name: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/host/proc")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn parses_captured_meminfo() {
        let info = MemInfo::parse(&fixture("meminfo"));
        assert_eq!(info.total, 24_684_084);
        assert!(info.free > 0 && info.free <= info.total);
        assert!(info.available.is_some());
        assert_eq!(info.swap_total, 0);
    }

    #[test]
    fn memory_rows_as_snmpd() {
        let info = MemInfo {
            total: 1000,
            free: 300,
            available: Some(600),
            buffers: 50,
            cached: 200,
            slab_reclaimable: 20,
            shared: 10,
            swap_total: 400,
            swap_free: 100,
        };
        let rows = memory_storage(&info);
        let summary: Vec<(u32, StorageType, &str, u32, u32, u32)> = rows
            .iter()
            .map(|r| {
                (
                    r.index,
                    r.kind,
                    r.descr.as_str(),
                    r.allocation_units,
                    r.size,
                    r.used,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, StorageType::Ram, "Physical memory", 1024, 1000, 700),
                (
                    3,
                    StorageType::VirtualMemory,
                    "Virtual memory",
                    1024,
                    1400,
                    1000
                ),
                (6, StorageType::Other, "Memory buffers", 1024, 1000, 50),
                (7, StorageType::Other, "Cached memory", 1024, 220, 220),
                (8, StorageType::Other, "Shared memory", 1024, 10, 10),
                (10, StorageType::VirtualMemory, "Swap space", 1024, 400, 300),
                (11, StorageType::Other, "Available memory", 1024, 600, 0),
            ]
        );
        let old_kernel = MemInfo {
            available: None,
            ..info
        };
        assert_eq!(memory_storage(&old_kernel).len(), 6);
    }

    #[test]
    fn meminfo_garbage_and_missing() {
        let info = MemInfo::parse("MemTotal: lots kB\nnonsense\nMemFree:\n:\nSwapTotal: 5 kB\n");
        assert_eq!(
            info,
            MemInfo {
                swap_total: 5,
                ..MemInfo::default()
            }
        );
        // free > total must not underflow.
        let odd = MemInfo {
            total: 1,
            free: 5,
            swap_total: 1,
            swap_free: 9,
            ..MemInfo::default()
        };
        assert_eq!(memory_storage(&odd)[0].used, 0);
    }

    #[test]
    fn captured_mounts_index_like_snmpd() {
        let mounts = parse_mounts(&fixture("mounts"));
        let reported: Vec<(u32, &str)> = mounts
            .iter()
            .filter(|m| filesystem_type(&m.fs_type).is_some())
            .map(|m| (m.fs_index + FS_INDEX_BASE, m.mount_point.as_str()))
            .collect();
        // snmpd served exactly these indexes on the machine the fixture comes from.
        assert_eq!(
            reported,
            [
                (34, "/dev/shm"),
                (36, "/"),
                (37, "/opt/tools"),
                (38, "/sys/fs/cgroup")
            ]
        );
        let read_only: Vec<&str> = mounts
            .iter()
            .filter(|m| m.read_only)
            .map(|m| m.mount_point.as_str())
            .collect();
        assert_eq!(read_only, ["/opt/tools"]);
    }

    #[test]
    fn mounts_escapes_and_garbage() {
        let text = "/dev/sdb1 /media/my\\040disk vfat rw 0 0\nshort line\n\n\
                    //srv/share /mnt/share cifs rw 0 0\n/dev/sdb1 /x\\134y ext4 rw 0 0\n";
        let mounts = parse_mounts(text);
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[0].mount_point, "/media/my disk");
        assert_eq!(mounts[1].fs_index, 2);
        assert_eq!(
            filesystem_type(&mounts[1].fs_type),
            Some(StorageType::NetworkDisk)
        );
        assert_eq!(mounts[2].mount_point, "/x\\y");
        assert!(!mounts[2].read_only);
        assert_eq!(filesystem_fs_type("ext4"), 23);
        assert_eq!(filesystem_fs_type("vfat"), 22);
        assert_eq!(filesystem_fs_type("tmpfs"), 1);
        assert_eq!(unescape_mount_field("a\\04"), "a\\04");
        assert_eq!(unescape_mount_field("\\999"), "\\999");
        assert_eq!(filesystem_type("proc"), None);
        assert_eq!(filesystem_type("devtmpfs"), None);
        assert_eq!(filesystem_type("iso9660"), Some(StorageType::CompactDisc));
    }

    #[test]
    fn filesystem_row_and_scaling() {
        let mount = Mount {
            fs_index: 6,
            device: "/dev/vda".to_owned(),
            mount_point: "/".to_owned(),
            fs_type: "ext4".to_owned(),
            read_only: false,
        };
        let row = filesystem_storage(
            &mount,
            StorageType::FixedDisk,
            FsStats {
                fragment_size: 4096,
                blocks: 66_053_021,
                blocks_free: 61_911_060,
            },
        );
        assert_eq!(
            (row.index, row.allocation_units, row.size, row.used),
            (36, 4096, 66_053_021, 4_141_961)
        );
        // 64 PiB in 4 KiB blocks does not fit Integer32: the unit grows.
        let (unit, size, used) = fit_units(4096, 1 << 44, 1 << 43);
        assert!(u64::from(size) <= MAX_INTEGER32);
        assert_eq!(u128::from(unit) * u128::from(size), 4096 * (1 << 44));
        assert_eq!(used, size / 2);
        assert_eq!(fit_units(0, 10, 20), (1, 10, 10));
        assert_eq!(fit_units(u64::MAX, u64::MAX, u64::MAX).0, 0x7FFF_FFFF);
    }

    #[test]
    fn reads_live_storage() {
        let rows = read_storage(&HostPaths::live());
        assert_eq!(
            rows.first().map(|r| r.descr.as_str()),
            Some("Physical memory")
        );
        // Whatever the host mounts (a container's `/` may be an unreported overlay), every
        // file system row is a mount point, numbered after the memory rows, within range.
        for row in rows.iter().filter(|r| r.index > FS_INDEX_BASE) {
            assert!(row.descr.starts_with('/'), "{row:?}");
            assert!(row.used <= row.size, "{row:?}");
            assert!(row.allocation_units > 0, "{row:?}");
        }
        let missing = HostPaths::new("/nonexistent", "/nonexistent", "/nonexistent");
        assert_eq!(read_storage(&missing).len(), 6);
    }
}
