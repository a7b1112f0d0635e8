package io.tidemark.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void shouldAlignColumnsTwoSpacesApartWithoutTrailingSpaces() {
        String text = new Table("NAME", "SIZE", "URL")
                .row("v1", "10G", "iscsi://h:3260/iqn.x:v1/0")
                .row("longer-name", null, "")
                .render();
        assertThat(text).isEqualTo("""
                NAME         SIZE  URL
                v1           10G   iscsi://h:3260/iqn.x:v1/0
                longer-name  -
                """);
    }

    @Test
    void shouldRefuseRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("A", "B").row("x")).hasMessage("cells: 1 (expected: 2)");
    }
}
