/// keepalived.conf as a lossless concrete syntax tree, and the editor that writes the agent's
/// run-time edits into it.
///
/// As rust-analyzer's rowan and Roslyn keep source, every token carries its trivia — the blanks,
/// comments and newlines before it ([SyntaxToken#leading]) and after it up to the end of its line
/// ([SyntaxToken#trailing]) — so that printing the tree gives back the file byte for byte. Blocks
/// are nodes; lines the semantic reader treats specially (`$NAME=` parameter definitions,
/// `include` lines, `@ID` lines for another config id) are opaque tokens kept verbatim. Files are
/// read as ISO-8859-1, which maps every byte to one character and back, so text in any encoding
/// (Latin-1, Shift-JIS, invalid UTF-8) survives.
///
/// An edit changes tokens of the tree of the file that defines the statement (one tree per file,
/// an included file's own tree for what it defines); the lines around keep their bytes. Between
/// edits a file of one piece (no include, no parameter or sequence definition, UTF-8) is kept cut
/// into its top-level blocks ([FileBlocks]): the next edit opens a tree of only the blocks it
/// changes and reads only those back, so its cost follows the block, not the file.
package dev.pharos.agent.config.syntax;
