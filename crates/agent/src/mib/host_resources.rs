//! HOST-RESOURCES-MIB (RFC 2790) basics from the live host: `hrSystem`, `hrStorage`
//! (`hrMemorySize`, `hrStorageTable`), and in `hrDevice` the `hrDeviceTable`,
//! `hrProcessorTable` and `hrNetworkTable`, with the rows, indexes and columns Net-SNMP's
//! `snmpd` serves on Linux.
//!
//! Devices are the processors (`hrDeviceIndex` 196608 + n, type `hrDeviceProcessor`) and the
//! network interfaces (262144 + `ifIndex`, type `hrDeviceNetwork`), numbered as `snmpd`
//! numbers them. `hrFSTable` lists the file systems of `hrStorageTable`, never backed up.
//! Not served: disks, partitions, `hrSWRun`, `hrSWRunPerf`,
//! `hrSWInstalled`, the co-processor row `snmpd` guesses, and `hrStorageAllocationFailures`
//! (which `snmpd` does not serve either).
//!
//! `hrSystemDate` is given in UTC (offset `+0:00`), `hrSystemNumUsers` counts utmp
//! `USER_PROCESS` records (0 when the host keeps no utmp file), `hrSystemMaxProcesses` is
//! `kernel.pid_max` (`snmpd` answers 0), and `hrSystemInitialLoadDevice` is 393216, the first
//! disk, as `snmpd` answers, although disk rows are not served.

use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::time::Duration;
use std::time::Instant;
use std::time::SystemTime;

use bytes::Bytes;
use vigie_snmp::Oid;
use vigie_snmp::Value;

use crate::host::HostPaths;
use crate::host::interfaces::AdminStatus;
use crate::host::interfaces::OperStatus;
use crate::host::processors::LoadTracker;
use crate::host::processors::read_cpu_descriptions;
use crate::host::processors::read_cpu_times;
use crate::host::storage::FS_INDEX_BASE;
use crate::host::storage::MemInfo;
use crate::host::storage::StorageEntry;
use crate::host::storage::filesystem_fs_type;
use crate::host::storage::read_filesystems;
use crate::host::storage::read_storage;
use crate::host::system;
use crate::mib::Composite;
use crate::mib::Mib;
use crate::mib::Row;
use crate::mib::Scalar;
use crate::mib::ScalarGroup;
use crate::mib::Table;
use crate::mib::TableSource;
use crate::mib::index;
use crate::mib::interfaces::Interfaces;

/// The host's resources, read on demand for the HOST-RESOURCES-MIB handlers.
pub struct HostResources {
    paths: HostPaths,
    interfaces: Arc<Interfaces>,
    load: Mutex<LoadTracker>,
}

impl HostResources {
    /// The resources of the host at `paths`; its network devices are `interfaces` (shared
    /// with IF-MIB so both list the same interfaces).
    pub fn new(paths: HostPaths, interfaces: Arc<Interfaces>) -> Arc<Self> {
        Arc::new(Self {
            paths,
            interfaces,
            load: Mutex::new(LoadTracker::new()),
        })
    }

    /// Takes a `/proc/stat` sample for `hrProcessorLoad` when the last one is older than
    /// [`LOAD_SAMPLE_INTERVAL`]. Requests call it too; calling it from a periodic timer
    /// makes the one-minute average independent of when managers ask.
    pub fn sample_processors(&self, now: Instant) {
        let mut load = self.load.lock().unwrap_or_else(PoisonError::into_inner);
        if load.due(now, LOAD_SAMPLE_INTERVAL) {
            load.record(now, read_cpu_times(&self.paths));
        }
    }

    /// The HOST-RESOURCES-MIB handlers to register: `hrSystem` (1.3.6.1.2.1.25.1),
    /// `hrStorage` (1.3.6.1.2.1.25.2), `hrDeviceTable` (1.3.6.1.2.1.25.3.2),
    /// `hrProcessorTable` (1.3.6.1.2.1.25.3.3), `hrNetworkTable` (1.3.6.1.2.1.25.3.4) and
    /// `hrFSTable` (1.3.6.1.2.1.25.3.8).
    pub fn handlers(self: &Arc<Self>) -> Vec<Box<dyn Mib>> {
        let memory = Arc::clone(self);
        let hr_storage = Composite::new(
            oid(HR_STORAGE),
            vec![
                Box::new(ScalarGroup::new(
                    oid(HR_STORAGE),
                    vec![Scalar::new(2, move |_| {
                        let info = memory
                            .paths
                            .proc_text("meminfo")
                            .map(|text| MemInfo::parse(&text))
                            .unwrap_or_default();
                        Value::Integer(i32::try_from(info.total).unwrap_or(i32::MAX))
                    })],
                )),
                Box::new(Table::new(
                    oid(HR_STORAGE_TABLE),
                    StorageTable(Arc::clone(self)),
                )),
            ],
        );
        vec![
            Box::new(self.hr_system()),
            Box::new(hr_storage),
            Box::new(Table::new(
                oid(HR_DEVICE_TABLE),
                DeviceTable(Arc::clone(self)),
            )),
            Box::new(Table::new(
                oid(HR_PROCESSOR_TABLE),
                ProcessorTable(Arc::clone(self)),
            )),
            Box::new(Table::new(
                oid(HR_NETWORK_TABLE),
                NetworkTable(Arc::clone(self)),
            )),
            Box::new(Table::new(oid(HR_FS_TABLE), FsTable(Arc::clone(self)))),
        ]
    }

    /// The `hrSystem` scalars.
    fn hr_system(self: &Arc<Self>) -> ScalarGroup {
        let (uptime, users, processes, max, parameters) = (
            Arc::clone(self),
            Arc::clone(self),
            Arc::clone(self),
            Arc::clone(self),
            Arc::clone(self),
        );
        ScalarGroup::new(
            oid(HR_SYSTEM),
            vec![
                Scalar::new(1, move |_| {
                    system::read_uptime(&uptime.paths).map_or(Value::NoSuchInstance, |up| {
                        Value::TimeTicks(system::uptime_ticks(up))
                    })
                }),
                Scalar::new(2, |_| {
                    let since_epoch = SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap_or_default();
                    Value::OctetString(Bytes::copy_from_slice(&system::date_and_time(since_epoch)))
                }),
                // The first disk device, the value `snmpd` serves on Linux.
                Scalar::constant(3, Value::Integer(FIRST_DISK_DEVICE)),
                Scalar::new(4, move |_| {
                    Value::OctetString(system::load_parameters(&parameters.paths).into())
                }),
                Scalar::new(5, move |_| {
                    Value::Gauge32(system::read_num_users(&users.paths))
                }),
                Scalar::new(6, move |_| {
                    Value::Gauge32(system::count_processes(&processes.paths))
                }),
                Scalar::new(7, move |_| {
                    Value::Integer(system::max_processes(&max.paths))
                }),
            ],
        )
    }

    /// The processor loads, sampling first if due.
    fn processor_loads(&self, now: Instant) -> Vec<u8> {
        self.sample_processors(now);
        self.load
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .loads()
    }
}

impl fmt::Debug for HostResources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostResources")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

/// `hrStorageTable`.
struct StorageTable(Arc<HostResources>);

impl TableSource for StorageTable {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        read_storage(&self.0.paths)
            .iter()
            .map(storage_row)
            .collect()
    }
}

/// `hrDeviceTable`: processors, then network interfaces.
struct DeviceTable(Arc<HostResources>);

impl TableSource for DeviceTable {
    fn rows(&self, now: Instant) -> Vec<Row> {
        let processor_type = Value::ObjectIdentifier(oid(HR_DEVICE_PROCESSOR));
        let network_type = Value::ObjectIdentifier(oid(HR_DEVICE_NETWORK));
        let mut rows: Vec<Row> = read_cpu_descriptions(&self.0.paths)
            .into_iter()
            .zip(processor_indexes())
            .map(|(descr, index)| {
                Row::new(index::integer(index))
                    .cell(1, integer(index))
                    .cell(2, processor_type.clone())
                    .cell(3, Value::OctetString(descr.into()))
                    .cell(4, zero_dot_zero())
                    .cell(5, Value::Integer(DEVICE_RUNNING))
            })
            .collect();
        let snapshot = self.0.interfaces.snapshot(now);
        for interface in &snapshot.interfaces {
            let Some(index) = network_device_index(interface.index) else {
                continue;
            };
            let running = interface.admin_status() == AdminStatus::Up
                && interface.oper_status() == OperStatus::Up;
            let errors = interface
                .counters
                .rx_errors
                .wrapping_add(interface.counters.tx_errors);
            rows.push(
                Row::new(index::integer(index))
                    .cell(1, integer(index))
                    .cell(2, network_type.clone())
                    .cell(
                        3,
                        Value::OctetString(format!("network interface {}", interface.name).into()),
                    )
                    .cell(4, zero_dot_zero())
                    .cell(
                        5,
                        Value::Integer(if running { DEVICE_RUNNING } else { DEVICE_DOWN }),
                    )
                    .cell(
                        6,
                        Value::Counter32(u32::try_from(errors & u64::from(u32::MAX)).unwrap_or(0)),
                    ),
            );
        }
        rows
    }
}

/// `hrProcessorTable`.
struct ProcessorTable(Arc<HostResources>);

impl TableSource for ProcessorTable {
    fn rows(&self, now: Instant) -> Vec<Row> {
        self.0
            .processor_loads(now)
            .into_iter()
            .zip(processor_indexes())
            .map(|(load, index)| {
                Row::new(index::integer(index))
                    .cell(1, zero_dot_zero())
                    .cell(2, Value::Integer(i32::from(load)))
            })
            .collect()
    }
}

/// `hrNetworkTable`: `hrNetworkIfIndex` of each network device.
struct NetworkTable(Arc<HostResources>);

impl TableSource for NetworkTable {
    fn rows(&self, now: Instant) -> Vec<Row> {
        let snapshot = self.0.interfaces.snapshot(now);
        snapshot
            .interfaces
            .iter()
            .filter_map(|interface| {
                let index = network_device_index(interface.index)?;
                Some(Row::new(index::integer(index)).cell(1, integer(interface.index)))
            })
            .collect()
    }
}

/// `hrFSTable`: the file systems of `hrStorageTable`, with the same numbering.
struct FsTable(Arc<HostResources>);

impl TableSource for FsTable {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        read_filesystems(&self.0.paths)
            .into_iter()
            .map(|(mount, _)| {
                let fs_type = oid(HR_FS_TYPES)
                    .child(filesystem_fs_type(&mount.fs_type))
                    .map_or_else(|_| zero_dot_zero(), Value::ObjectIdentifier);
                let never = Value::OctetString(Bytes::from_static(&NEVER_BACKED_UP));
                Row::new(index::integer(mount.fs_index))
                    .cell(1, integer(mount.fs_index))
                    .cell(2, Value::OctetString(mount.mount_point.clone().into()))
                    .cell(3, Value::OctetString(Bytes::new()))
                    .cell(4, fs_type)
                    .cell(5, Value::Integer(if mount.read_only { 2 } else { 1 }))
                    .cell(
                        6,
                        Value::Integer(if mount.mount_point == "/" { 1 } else { 2 }),
                    )
                    .cell(7, integer(FS_INDEX_BASE.saturating_add(mount.fs_index)))
                    .cell(8, never.clone())
                    .cell(9, never)
            })
            .collect()
    }
}

/// One `hrStorageEntry` (without `hrStorageAllocationFailures`, as `snmpd`).
fn storage_row(entry: &StorageEntry) -> Row {
    let kind = oid(HR_STORAGE_TYPES)
        .child(entry.kind.arc())
        .map_or_else(|_| zero_dot_zero(), Value::ObjectIdentifier);
    Row::new(index::integer(entry.index))
        .cell(1, integer(entry.index))
        .cell(2, kind)
        .cell(3, Value::OctetString(entry.descr.clone().into()))
        .cell(4, integer(entry.allocation_units))
        .cell(5, integer(entry.size))
        .cell(6, integer(entry.used))
}

/// `hrDeviceIndex` values of the processors: 196608, 196609, …
fn processor_indexes() -> impl Iterator<Item = u32> {
    PROCESSOR_BASE..NETWORK_BASE
}

/// The `hrDeviceIndex` of a network interface, `None` past the network range.
fn network_device_index(if_index: u32) -> Option<u32> {
    if if_index >= DEVICE_TYPE_SPAN {
        return None;
    }
    NETWORK_BASE.checked_add(if_index)
}

fn integer(value: u32) -> Value {
    Value::Integer(i32::try_from(value).unwrap_or(i32::MAX))
}

fn zero_dot_zero() -> Value {
    Value::ObjectIdentifier(oid("0.0"))
}

/// Parses one of this module's OID constants.
fn oid(text: &str) -> Oid {
    // Only called with the OID constants of this module, which are valid.
    text.parse().expect("a valid OID constant")
}

/// How often `/proc/stat` is sampled at most for `hrProcessorLoad`.
pub const LOAD_SAMPLE_INTERVAL: Duration = Duration::from_secs(5);
/// Net-SNMP numbers devices `type << 16 | n`: processors are type 3, network type 4.
const DEVICE_TYPE_SPAN: u32 = 1 << 16;
const PROCESSOR_BASE: u32 = 3 << 16;
const NETWORK_BASE: u32 = 4 << 16;
/// `hrSystemInitialLoadDevice`: the first disk (type 6), as `snmpd` answers.
const FIRST_DISK_DEVICE: i32 = 6 << 16;
/// `hrDeviceStatus` running(2) and down(5).
const DEVICE_RUNNING: i32 = 2;
const DEVICE_DOWN: i32 = 5;
const HR_SYSTEM: &str = "1.3.6.1.2.1.25.1";
const HR_STORAGE: &str = "1.3.6.1.2.1.25.2";
const HR_STORAGE_TYPES: &str = "1.3.6.1.2.1.25.2.1";
const HR_STORAGE_TABLE: &str = "1.3.6.1.2.1.25.2.3";
const HR_DEVICE_PROCESSOR: &str = "1.3.6.1.2.1.25.3.1.3";
const HR_DEVICE_NETWORK: &str = "1.3.6.1.2.1.25.3.1.4";
const HR_DEVICE_TABLE: &str = "1.3.6.1.2.1.25.3.2";
const HR_PROCESSOR_TABLE: &str = "1.3.6.1.2.1.25.3.3";
const HR_NETWORK_TABLE: &str = "1.3.6.1.2.1.25.3.4";
const HR_FS_TABLE: &str = "1.3.6.1.2.1.25.3.8";
const HR_FS_TYPES: &str = "1.3.6.1.2.1.25.3.9";
/// The `DateAndTime` `snmpd` serves for backups that never happened: year 0, January 1st.
const NEVER_BACKED_UP: [u8; 8] = [0, 0, 1, 1, 0, 0, 0, 0];

#[cfg(test)]
mod tests;
