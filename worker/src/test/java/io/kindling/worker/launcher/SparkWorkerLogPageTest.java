package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading the answers of a Spark worker's {@code /log/} endpoint, as Spark 4.0's LogPage writes them. */
class SparkWorkerLogPageTest {

    private static SparkWorkerLogPage.Chunk parse(String body) throws IOException {
        return SparkWorkerLogPage.parse(body.getBytes(StandardCharsets.UTF_8), "test");
    }

    @Test
    void a_chunk_is_the_range_in_the_header_and_the_bytes_after_it() throws IOException {
        SparkWorkerLogPage.Chunk chunk = parse("==== Bytes 7-19 of 222 of /work/w/driver-20261205130713-0000/stdout ====\n"
                + "é\nline 2 é\nl");

        assertThat(chunk.start()).isEqualTo(7);
        assertThat(chunk.end()).isEqualTo(19);
        assertThat(chunk.length()).isEqualTo(222);
        assertThat(chunk.atEnd()).isFalse();
        assertThat(new String(chunk.text(), StandardCharsets.UTF_8)).isEqualTo("é\nline 2 é\nl");
    }

    @Test
    void a_driver_the_worker_does_not_know_is_an_error_naming_what_the_worker_said() {
        assertThatThrownBy(() -> parse("==== Bytes 0-0 of 0 of /work/w/driver-1/stdout ====\n"
                + "Error: invalid log directory /work/w/driver-1/"))
                .isInstanceOf(IOException.class).hasMessageContaining("Error: invalid log directory");
    }

    @Test
    void an_answer_that_is_not_a_log_page_is_an_error() {
        assertThatThrownBy(() -> parse("<html>login</html>")).isInstanceOf(IOException.class)
                .hasMessageContaining("not a Spark worker's log page");
    }

    @Test
    void only_complete_lines_are_used_while_the_driver_runs_and_everything_once_it_has_ended() throws IOException {
        SparkWorkerLogPage.Chunk chunk = parse("==== Bytes 100-118 of 118 of x ====\nline 1\nline 2\nline");

        int running = SparkWorkerLogPage.usable(chunk, 1000, false);
        assertThat(running).isEqualTo("line 1\nline 2\n".length());
        assertThat(SparkWorkerLogPage.offsetAfter(chunk, running)).isEqualTo(114);
        int drained = SparkWorkerLogPage.usable(chunk, 1000, true);
        assertThat(drained).isEqualTo(18);
        assertThat(SparkWorkerLogPage.offsetAfter(chunk, drained)).isEqualTo(118);
    }

    @Test
    void a_character_cut_by_the_end_of_a_range_is_read_again_with_the_next_chunk() throws IOException {
        // bytes 0-9 of "ab\nc\u00e9d\n": the range ends inside é, which the worker sends as U+FFFD
        SparkWorkerLogPage.Chunk chunk = parse("==== Bytes 0-5 of 8 of x ====\nab\nc\uFFFD");

        int used = SparkWorkerLogPage.usable(chunk, 5, false);

        assertThat(used).isEqualTo(3);
        assertThat(SparkWorkerLogPage.offsetAfter(chunk, used)).isEqualTo(3);
    }

    @Test
    void a_line_longer_than_a_full_chunk_is_taken_whole_and_a_short_partial_line_waits() throws IOException {
        assertThat(SparkWorkerLogPage.usable(parse("==== Bytes 0-4 of 9 of x ====\nabcd"), 4, false)).isEqualTo(4);
        assertThat(SparkWorkerLogPage.usable(parse("==== Bytes 0-4 of 4 of x ====\nabcd"), 100, false)).isZero();
    }
}
