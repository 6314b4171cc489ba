package dev.pharos.console.connect;

import java.util.Optional;

/// Secrets the connection may need from the operator, asked only when needed (a key's
/// passphrase, a password as the last resort). The console shows a dialog; tests answer directly.
/// An empty answer means the operator declined.
public interface Prompts {

    Optional<String> passphrase(String keyDescription);

    Optional<String> password(String userAtHost);

    Prompts NONE = new Prompts() {
        @Override
        public Optional<String> passphrase(String keyDescription) {
            return Optional.empty();
        }

        @Override
        public Optional<String> password(String userAtHost) {
            return Optional.empty();
        }
    };
}
