package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.geometry.BoundingBox;
import javafx.scene.shape.Line;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The drawing's bookkeeping without a scene: what a structural update keeps, replaces and
/// drops, and what culling lets into the layers.
class DrawingTest {

    static Drawing.Item line(Drawing d, Object signature, int[] disposed) {
        var item = new Drawing.Item(new Line(), d.links, signature);
        item.dispose = () -> disposed[0]++;
        return item;
    }

    @Test
    void anUpdateKeepsEqualItemsReplacesChangedOnesInPlaceAndDropsTheRest() {
        var d = new Drawing();
        var disposed = new int[1];
        d.beginUpdate();
        var a = d.reuse("a", "v1", () -> line(d, "v1", disposed));
        var b = d.reuse("b", "v1", () -> line(d, "v1", disposed));
        var c = d.reuse("c", "v1", () -> line(d, "v1", disposed));
        a.line(0, 0, 10, 10);
        b.line(20, 0, 30, 10);
        c.line(40, 0, 50, 10);
        d.endUpdate();
        d.showAll();
        assertThat(d.links.getChildren()).containsExactly(a.node, b.node, c.node);
        assertThat(d.created()).isEqualTo(3);

        d.beginUpdate();
        var a2 = d.reuse("a", "v1", () -> line(d, "v1", disposed));
        var b2 = d.reuse("b", "v2", () -> line(d, "v2", disposed));
        d.endUpdate();

        assertThat(a2).as("same signature: kept").isSameAs(a);
        assertThat(b2).as("changed signature: new").isNotSameAs(b);
        assertThat(d.links.getChildren()).as("the new node where the old one was; c dropped")
                .containsExactly(a.node, b2.node);
        assertThat(d.get("c")).isNull();
        assertThat(disposed[0]).as("b's and c's listeners detached").isEqualTo(2);
        assertThat(d.created()).isEqualTo(4);
    }

    /// A real-server card replaced in place enters the scene there, not through culling: it must
    /// build its content then (a card redrawn when a second director reported its server showed
    /// an empty box).
    @Test
    void aCardReplacedInPlaceIsBuilt() throws Exception {
        FxToolkit.registerPrimaryStage();
        var built = WaitForAsyncUtils.asyncFx(() -> {
            var d = new Drawing();
            d.beginUpdate();
            var first = d.reuse("r:x", "one director", () -> new Drawing.Item(new RealServerCard("x"), d.boxes, "one director"));
            first.box(new TopologyLayout.Box(0, 0, 196, 48));
            d.endUpdate();
            d.cull(new BoundingBox(0, 0, 500, 500), n -> false);
            d.beginUpdate();
            var second = d.reuse("r:x", "two directors", () -> new Drawing.Item(new RealServerCard("x"), d.boxes, "two directors"));
            d.endUpdate();
            assertThat(second.node.getParent()).as("in the scene where the first was").isSameAs(d.boxes);
            return ((RealServerCard) second.node).built();
        }).get();
        assertThat(built).isTrue();
    }

    @Test
    void cullingLetsInWhatIntersectsTheAreaAndWhatIsKept() {
        var d = new Drawing();
        var disposed = new int[1];
        d.beginUpdate();
        var near = d.reuse("near", "s", () -> line(d, "s", disposed));
        var far = d.reuse("far", "s", () -> line(d, "s", disposed));
        var kept = d.reuse("kept", "s", () -> line(d, "s", disposed));
        near.line(0, 0, 100, 100);
        far.line(5_000, 0, 5_100, 100);
        kept.line(9_000, 0, 9_100, 100);
        d.endUpdate();

        d.cull(new BoundingBox(0, 0, 1_000, 1_000), n -> n == kept.node);
        assertThat(d.links.getChildren()).containsExactlyInAnyOrder(near.node, kept.node);

        d.cull(new BoundingBox(4_500, 0, 1_000, 1_000), n -> false);
        assertThat(d.links.getChildren()).as("panned: in and out").containsExactly(far.node);

        d.showAll();
        assertThat(d.links.getChildren()).hasSize(3);
        d.cull(new BoundingBox(4_500, 0, 1_000, 1_000), n -> false);
        assertThat(d.links.getChildren()).containsExactly(far.node);
    }
}
