/// Compliance rules: pure functions from observations to findings.
public enum Policy {}
