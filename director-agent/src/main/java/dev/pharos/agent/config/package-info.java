/// The keepalived.conf language as Pharos reads and writes it: a lexer with positions, include
/// expansion, a block tree, the parser into an immutable model of records, validation with
/// keepalived's rules, the writer back to keepalived.conf, and the JSON form of the same model.
///
/// The model records what the file says (keyword aliases folded, units as types); a value the file
/// leaves out is `null` in the model and keepalived's default is applied by whoever runs it. Keywords
/// keepalived knows but Pharos does not implement are warned about and kept verbatim as [Extra]
/// statements, so a file Pharos rewrites loses nothing.
package dev.pharos.agent.config;
