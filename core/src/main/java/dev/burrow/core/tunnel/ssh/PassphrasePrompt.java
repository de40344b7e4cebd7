package dev.burrow.core.tunnel.ssh;

/**
 * Asks the user for the passphrase of an encrypted private key. The CLI implements it with the console, the desktop
 * app with a dialog. Called on the thread that loads the keys, before any connection is made; it may block.
 */
@FunctionalInterface
public interface PassphrasePrompt {
    /** A prompt that never has an answer: encrypted keys are skipped. */
    PassphrasePrompt NONE = (key, attempt) -> null;

    /**
     * @param key     the key file, as the user would name it
     * @param attempt 1 for the first question, higher after a wrong passphrase
     * @return the passphrase, or null to skip this key; the caller wipes the array after use
     */
    char[] passphrase(String key, int attempt);
}
