package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's summary, the line picocli shows for it in its parent's list of commands, is a whole
 * sentence: it starts with a capital letter and ends with '.', '?' or '!' (optionally closed by ')').
 * The summaries are read from the rendered usage help of every group, so what is checked is what a
 * user reads.
 */
class HelpSummaryTest {

    /** A summary row of picocli's command list: two spaces, the name (and aliases), two or more spaces, the text. */
    private static final Pattern ROW = Pattern.compile("^  (\\S+)(?:, \\S+)*\\s{2,}(\\S.*)$");
    private static final Pattern WHOLE_SENTENCE = Pattern.compile("^[A-Z`\"'(].*[.?!]\\)?$");

    @Test
    void everyCommandsSummaryIsAWholeSentence() {
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        CommandLine root = Main.commandLine();
        String rootSummary = firstLine(root);
        if (!WHOLE_SENTENCE.matcher(rootSummary).matches()) {
            offenders.add("scalelab: \"" + rootSummary + "\"");
        }
        List<CommandLine> groups = new ArrayList<>();
        collectGroups(root, groups);
        for (CommandLine group : groups) {
            Map<String, String> listed = listedSummaries(group.getUsageMessage());
            assertEquals(group.getSubcommands().keySet(), listed.keySet(),
                    qualifiedName(group) + " --help lists other commands than it has:\n" + group.getUsageMessage());
            for (Map.Entry<String, String> e : listed.entrySet()) {
                checked++;
                if (!WHOLE_SENTENCE.matcher(e.getValue()).matches()) {
                    offenders.add(qualifiedName(group) + " " + e.getKey() + ": \"" + e.getValue() + "\"");
                }
            }
        }
        assertTrue(checked > 30, "expected the whole tree, checked " + checked + " summaries");
        assertTrue(offenders.isEmpty(), "summaries that are not a whole sentence:\n  " + String.join("\n  ", offenders));
    }

    @Test
    void aSummaryCutMidSentenceIsCaught() {
        assertTrue(!WHOLE_SENTENCE.matcher("Fit a broken neural scaling law (Caballero et al. 2022, eq. 1):").matches());
        assertTrue(!WHOLE_SENTENCE.matcher("Write a seeded world: world.json (config, categories, hidden functor, split sizes),").matches());
        assertTrue(WHOLE_SENTENCE.matcher("Fit a broken neural scaling law (Caballero et al. 2022).").matches());
        assertTrue(WHOLE_SENTENCE.matcher("Print the result. (Slow.)").matches());
    }

    private static String firstLine(CommandLine cl) {
        String[] header = cl.getCommandSpec().usageMessage().header();
        String[] lines = header.length > 0 ? header : cl.getCommandSpec().usageMessage().description();
        return lines.length == 0 ? "" : String.format(lines[0]).strip();
    }

    private static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }

    private static void collectGroups(CommandLine cl, List<CommandLine> out) {
        if (!cl.getSubcommands().isEmpty()) {
            out.add(cl);
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            collectGroups(sub, out);
        }
    }

    /** Reads the "Commands:" section of a rendered usage message, joining each summary's wrapped lines. */
    private static Map<String, String> listedSummaries(String usage) {
        Map<String, String> summaries = new java.util.LinkedHashMap<>();
        String[] lines = usage.split("\\R");
        int start = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].equals("Commands:")) {
                start = i + 1;
                break;
            }
        }
        assertTrue(start > 0, "no Commands: section in\n" + usage);
        String current = null;
        for (int i = start; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || !line.startsWith("  ")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (!line.startsWith("   ") && row.matches()) {
                current = row.group(1);
                summaries.put(current, row.group(2).strip());
            } else if (current != null) {
                summaries.put(current, summaries.get(current) + " " + line.strip());
            }
        }
        return summaries;
    }
}
