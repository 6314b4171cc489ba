package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.Located;
import java.util.Optional;

/// What the next edit of the same files starts from, kept by the agent between edits: the
/// configuration the files load to and its canonical text, and either the file cut into its
/// top-level blocks (one self-contained file: the next edit reads back only the blocks it
/// changes, see [LosslessEditor#write(EditBase, ConfigEdits.Edit)]) or, for files that include
/// others or define parameters, where each block is written (the next edit parses the files once
/// instead of twice).
public final class EditBase {

    private final KeepalivedConfig config;
    private final String canonical;
    private final Located located;
    private final FileBlocks blocks;

    private EditBase(KeepalivedConfig config, String canonical, Located located, FileBlocks blocks) {
        this.config = config;
        this.canonical = canonical;
        this.located = located;
        this.blocks = blocks;
    }

    /// After a whole read of the files: `tree` is the main file's syntax tree when it is the
    /// only file, else null.
    static EditBase of(SyntaxTree tree, Located located, String configId) {
        var blocks = tree == null ? null : FileBlocks.of(tree, located, configId);
        if (blocks == null) {
            return new EditBase(located.config(), ConfigWriter.write(located.config()), located, null);
        }
        return new EditBase(located.config(), blocks.canonical(), null, blocks);
    }

    /// After an edit read back by blocks.
    static EditBase of(KeepalivedConfig config, FileBlocks blocks) {
        return new EditBase(config, blocks.canonical(), null, blocks);
    }

    /// The configuration the files load to.
    public KeepalivedConfig config() {
        return config;
    }

    /// The configuration as [ConfigWriter] writes it (its revision's text).
    public String canonical() {
        return canonical;
    }

    /// Where each block of [#config] is written, when the files are not kept by blocks.
    public Optional<Located> located() {
        return Optional.ofNullable(located);
    }

    FileBlocks blocks() {
        return blocks;
    }
}
