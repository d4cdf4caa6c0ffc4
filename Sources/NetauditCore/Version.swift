/// netaudit's version: `netaudit --version`, the probes' User-Agent, each stored run, and
/// `netaudit_build_info`. CHANGELOG.md says what each version brought.
public enum NetauditVersion {
    public static let current = "0.3.0"
}
