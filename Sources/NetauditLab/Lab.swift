/// The loopback lab: a private PKI and servers with the behaviour each test case needs.
public enum Lab {}
