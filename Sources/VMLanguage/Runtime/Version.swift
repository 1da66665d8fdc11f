public enum VMLabVersion {
    public static let current = "0.1.0"
}
