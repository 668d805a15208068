//! Agreement with Net-SNMP's `snmptranslate` on the same directory: for every OBJECT-TYPE of
//! IF-MIB, SNMPv2-MIB, HOST-RESOURCES-MIB and IP-MIB, name → OID, OID → name, and the facts
//! `-Td` prints (textual convention, DISPLAY-HINT, enumerations, access, status, units,
//! INDEX, AUGMENTS). Each comparison runs `snmptranslate` once for all objects.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use vigie_mib::parser::ast::Body;
use vigie_mib::{MibSet, Node};

use crate::{netsnmp, shared_mibs};

const MODULES: &[&str] = &["IF-MIB", "SNMPv2-MIB", "HOST-RESOURCES-MIB", "IP-MIB"];

#[test]
fn names_and_oids_agree_with_snmptranslate() {
    let test = "names_and_oids_agree_with_snmptranslate";
    let (Some(root), Some(mib)) = (shared_mibs(test), netsnmp(test)) else {
        return;
    };
    let dir = root.join("netsnmp");
    let Some(names) = object_names(&dir) else {
        return;
    };
    if !snmptranslate_present(test) {
        return;
    }
    let mut args = vec!["-On".to_owned()];
    args.extend(names.iter().cloned());
    let numeric = snmptranslate(&dir, &args);
    assert_eq!(numeric.len(), names.len(), "one line per name");
    let mut mismatches = Vec::new();
    for (name, theirs) in names.iter().zip(&numeric) {
        let ours = mib.resolve(name).map(|o| format!(".{o}"));
        if ours.as_deref() != Ok(theirs.as_str()) {
            mismatches.push(format!("{name}: ours {ours:?}, snmptranslate {theirs}"));
        }
    }
    let labels = snmptranslate(&dir, &numeric);
    assert_eq!(labels.len(), numeric.len(), "one line per OID");
    for (oid, theirs) in numeric.iter().zip(&labels) {
        let Some(node) = oid
            .parse()
            .ok()
            .and_then(|o: vigie_snmp::Oid| mib.describe(o.arcs()))
        else {
            mismatches.push(format!("{oid}: no node of ours"));
            continue;
        };
        let (their_module, their_name) = theirs.split_once("::").unwrap_or(("", theirs));
        // Where several modules define the node (IF-MIB and RFC1213-MIB), Net-SNMP may
        // name any of them; the name must match and the module must be one of ours.
        let agrees = node.index.is_empty()
            && node.node.name() == Some(their_name)
            && node
                .node
                .definitions()
                .any(|(m, _)| m == Some(their_module));
        if !agrees {
            mismatches.push(format!(
                "{oid}: ours {:?}, snmptranslate {theirs}",
                node.node
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(names.len() > 400, "{} objects compared", names.len());
}

#[test]
fn object_facts_agree_with_snmptranslate_td() {
    let test = "object_facts_agree_with_snmptranslate_td";
    let (Some(root), Some(mib)) = (shared_mibs(test), netsnmp(test)) else {
        return;
    };
    let dir = root.join("netsnmp");
    let Some(names) = object_names(&dir) else {
        return;
    };
    if !snmptranslate_present(test) {
        return;
    }
    let mut args = vec!["-Td".to_owned()];
    args.extend(names.iter().cloned());
    let blocks = td_blocks(&snmptranslate(&dir, &args));
    let mut mismatches = Vec::new();
    for name in &names {
        // Net-SNMP may head the block with another module defining the same name.
        let label = name.split_once("::").map_or(name.as_str(), |(_, n)| n);
        let Some(theirs) = blocks.get(label) else {
            mismatches.push(format!("{name}: no -Td output"));
            continue;
        };
        // Compare with our facts of the definition Net-SNMP shows (RFC1213-MIB's ipForwarding
        // rather than IP-MIB's, say).
        let shown = format!("{}::{label}", theirs.0);
        let Some(node) = mib.find(&shown) else {
            mismatches.push(format!(
                "{name}: snmptranslate shows {shown}, which we lack"
            ));
            continue;
        };
        let (_, theirs) = theirs;
        let ours = facts_of(&mib, node);
        for (key, value) in theirs {
            if ours.get(key) != Some(value) {
                mismatches.push(format!(
                    "{name} {key}: ours {:?}, snmptranslate {value:?}",
                    ours.get(key)
                ));
            }
        }
        for key in ours.keys().filter(|k| !theirs.contains_key(*k)) {
            mismatches.push(format!(
                "{name} {key}: ours {:?}, snmptranslate none",
                ours.get(key)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches: {mismatches:#?}",
        mismatches.len()
    );
}

/// Our facts, keyed and rendered the way `snmptranslate -Td` prints them.
fn facts_of(mib: &MibSet, node: Node<'_>) -> HashMap<&'static str, String> {
    let mut facts = HashMap::new();
    let Some(object) = node.object() else {
        return facts;
    };
    if let Some(syntax) = &object.syntax {
        if let Some(tc) = &syntax.textual_convention {
            facts.insert("TC", tc.clone());
        }
        if let Some(hint) = &syntax.hint {
            facts.insert("DISPLAY-HINT", hint.clone());
        }
        let labels = if syntax.enums.is_empty() {
            &syntax.bits
        } else {
            &syntax.enums
        };
        if !labels.is_empty() {
            let list: Vec<String> = labels
                .iter()
                .map(|e| format!("{}({})", e.name, e.value))
                .collect();
            facts.insert("ENUMS", list.join(", "));
        }
    }
    if let Some(units) = &object.units {
        facts.insert("UNITS", units.clone());
    }
    if let Some(access) = object.access {
        facts.insert("MAX-ACCESS", access.keyword().to_owned());
    }
    if let Some(status) = object.status {
        facts.insert("STATUS", status.keyword().to_owned());
    }
    if !object.index.is_empty() {
        let parts: Vec<String> = object
            .index
            .iter()
            .map(|i| {
                if i.implied {
                    format!("IMPLIED {}", i.name)
                } else {
                    i.name.clone()
                }
            })
            .collect();
        facts.insert("INDEX", parts.join(", "));
    }
    if let Some(augments) = object
        .augments
        .and_then(|a| mib.node(a))
        .and_then(|n| n.name())
    {
        facts.insert("AUGMENTS", augments.to_owned());
    }
    facts
}

/// `snmptranslate -Td` output: per name, the module of its header and the facts, keyed like
/// [`facts_of`].
fn td_blocks(lines: &[String]) -> HashMap<String, (String, HashMap<&'static str, String>)> {
    let mut blocks: HashMap<String, (String, HashMap<&'static str, String>)> = HashMap::new();
    let mut current: Option<String> = None;
    for line in lines {
        if let Some((module, label)) = line
            .split_once("::")
            .filter(|_| !line.starts_with([' ', ':']))
        {
            current = Some(label.trim().to_owned());
            blocks.insert(label.trim().to_owned(), (module.to_owned(), HashMap::new()));
            continue;
        }
        let Some((_, block)) = current.as_ref().and_then(|c| blocks.get_mut(c)) else {
            continue;
        };
        let line = line.trim();
        let Some((key, value)) = line.split_once('\t') else {
            if let Some(tc) = line.strip_prefix("-- TEXTUAL CONVENTION ") {
                block.insert("TC", tc.to_owned());
            }
            continue;
        };
        let value = value.trim();
        let unbrace = |v: &str| {
            v.trim_start_matches('{')
                .trim_end_matches('}')
                .trim()
                .to_owned()
        };
        match key {
            "SYNTAX" => {
                if let (Some(open), Some(close)) = (value.find('{'), value.rfind('}')) {
                    block.insert(
                        "ENUMS",
                        value.get(open + 1..close).unwrap_or_default().to_owned(),
                    );
                }
            }
            "DISPLAY-HINT" => {
                block.insert("DISPLAY-HINT", value.trim_matches('"').to_owned());
            }
            "UNITS" => {
                block.insert("UNITS", value.trim_matches('"').to_owned());
            }
            "MAX-ACCESS" => {
                block.insert("MAX-ACCESS", value.to_owned());
            }
            "STATUS" => {
                block.insert("STATUS", value.to_owned());
            }
            "INDEX" => {
                block.insert("INDEX", unbrace(value));
            }
            "AUGMENTS" => {
                block.insert("AUGMENTS", unbrace(value));
            }
            _ => {}
        }
    }
    blocks
}

/// `MODULE::name` of every OBJECT-TYPE of [`MODULES`], read with our own parser.
fn object_names(dir: &Path) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for module in MODULES {
        let text = std::fs::read(dir.join(format!("{module}.txt"))).ok()?;
        let parsed = vigie_mib::parser::parse(&vigie_mib::lexer::decode(&text));
        for definition in &parsed.modules.first()?.definitions {
            if matches!(definition.body, Body::ObjectType(_)) {
                names.push(format!("{module}::{}", definition.name));
            }
        }
    }
    Some(names)
}

fn snmptranslate_present(test: &str) -> bool {
    let present = Command::new("snmptranslate").arg("-V").output().is_ok();
    if !present {
        assert!(
            std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
            "{test}: snmptranslate is missing and VIGIE_REQUIRE_PEERS=1"
        );
        eprintln!("skipping {test}: snmptranslate is not installed");
    }
    present
}

/// Runs `snmptranslate -M dir -m ALL args…` and returns its non-empty stdout lines.
fn snmptranslate(dir: &Path, args: &[String]) -> Vec<String> {
    let output = Command::new("snmptranslate")
        .arg("-M")
        .arg(dir)
        .args(["-m", "ALL"])
        .args(args)
        .env("MIBS", "")
        .env_remove("MIBDIRS")
        .output()
        .expect("snmptranslate runs");
    assert!(
        output.status.success(),
        "snmptranslate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
