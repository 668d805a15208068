//! BER tag-length-value reading and writing (X.690 §8), for the subset SNMP uses.
//!
//! This module knows nothing of SNMP: it reads and writes TLVs, lengths and the primitive
//! contents (INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER).
