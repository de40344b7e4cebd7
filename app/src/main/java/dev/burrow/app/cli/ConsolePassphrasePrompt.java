package dev.burrow.app.cli;

import dev.burrow.core.tunnel.ssh.PassphrasePrompt;
import java.io.Console;
import java.io.PrintStream;

/** Asks for key passphrases on the terminal, without echo; without a terminal, encrypted keys are skipped. */
final class ConsolePassphrasePrompt implements PassphrasePrompt {
    private final Console console;
    private final PrintStream err;

    ConsolePassphrasePrompt(Console console, PrintStream err) {
        this.console = console;
        this.err = err;
    }

    @Override
    public char[] passphrase(String key, int attempt) {
        if (console == null) {
            err.println("warning: " + key + " is encrypted and there is no terminal to ask for its passphrase;"
                    + " skipping it (load it into ssh-agent with ssh-add instead)");
            return null;
        }
        String again = attempt > 1 ? "Wrong passphrase. " : "";
        return console.readPassword("%sPassphrase for %s: ", again, key);
    }
}
