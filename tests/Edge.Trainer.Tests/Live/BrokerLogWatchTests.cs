using Edge.Trainer.Live;

namespace Edge.Trainer.Tests.Live;

public sealed class BrokerLogWatchTests
{
    [Theory]
    // mosquitto 2.0's lines after a failed autosave of its persistence file (log_dest topic, $SYS/broker/log/E).
    [InlineData("1796678389: Error: No space left on device.")]
    [InlineData("1796678389: Error: Disk quota exceeded.")]
    [InlineData("1796678389: Error: Read-only file system.")]
    [InlineData("1796678389: Error: Input/output error.")]
    [InlineData("1796678389: Error saving in-memory database, unable to open /var/lib/mosquitto/mosquitto.db.new for "
        + "writing.")]
    public void A_line_saying_the_disk_refused_a_write_is_a_disk_error(string line) =>
        Assert.True(BrokerLogWatch.IsDiskError(line));

    [Theory]
    [InlineData("1796678389: Error: File exists.")]
    [InlineData("1796678389: OpenSSL Error[0]: error:0A000126:SSL routines::unexpected eof while reading")]
    [InlineData("1796678389: Client trainer-1 disconnected: connection lost.")]
    [InlineData("")]
    public void Other_broker_errors_are_not_disk_errors(string line) =>
        Assert.False(BrokerLogWatch.IsDiskError(line));
}
