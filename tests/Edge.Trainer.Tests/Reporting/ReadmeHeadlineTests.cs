using Edge.Trainer.Reporting.Report;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Trainer.Tests.Reporting;

public sealed class ReadmeHeadlineTests
{
    private const string Readme = "# Edge\n\nintro\n<!-- bench:begin -->\nold\n<!-- bench:end -->\noutro\n";

    [Fact]
    public void Only_the_block_between_the_markers_changes()
    {
        Assert.Equal("# Edge\n\nintro\n<!-- bench:begin -->\n| a |\n<!-- bench:end -->\noutro\n",
            ReadmeHeadline.Replace(Readme, "| a |\n", "README.md"));
    }

    [Property(MaxTest = 200)]
    public Property Replacing_is_idempotent_and_the_last_block_wins()
    {
        var text = Gen.Elements("| x |", "a", "\n", " ", "<!--", "bench", "—",
            "%").ArrayOf().Select(parts => string.Concat(parts));
        var cases = from before in text from after in text from first in text from second in text select (before, after,
            first, second);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var readme = $"{c.before}{ReadmeHeadline.Begin}x{ReadmeHeadline.End}{c.after}";
            var once = ReadmeHeadline.Replace(readme, c.second, "README.md");
            Assert.Equal(once, ReadmeHeadline.Replace(once, c.second, "README.md"));
            Assert.Equal(once,
                ReadmeHeadline.Replace(ReadmeHeadline.Replace(readme, c.first, "README.md"), c.second, "README.md"));
            Assert.StartsWith(c.before + ReadmeHeadline.Begin, once, StringComparison.Ordinal);
            Assert.EndsWith(ReadmeHeadline.End + c.after, once, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("no markers at all", "the marker '<!-- bench:begin -->' is missing")]
    [InlineData("<!-- bench:end --> then <!-- bench:begin -->",
        "'<!-- bench:end -->' comes before '<!-- bench:begin -->'")]
    [InlineData("<!-- bench:begin --><!-- bench:end --><!-- bench:begin -->",
        "'<!-- bench:begin -->' appears more than once")]
    public void Missing_reversed_or_repeated_markers_are_named(string readme, string problem)
    {
        var error = Assert.Throws<BenchDataException>(() => ReadmeHeadline.Replace(readme, "table", "docs/README.md"));
        Assert.StartsWith("docs/README.md: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
