using Edge.Agent.Configuration;

namespace Edge.Agent.Tests.Models;

/// <summary>The model store's settings: each problem names its key.</summary>
public sealed class ModelsOptionsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public void Bad_trust_set_fleet_and_gate_settings_are_refused_each_naming_its_key()
    {
        var calibration = _folder.File("calibration.csv");
        File.WriteAllText(calibration, "label,x\n");
        var options = new ModelsOptions
        {
            StoreDirectory = _folder.Path,
            CalibrationSetPath = calibration,
            TrustedKeyPaths = [_folder.File("missing.pub.pem")],
            RevokedKeyIds = ["ABC"],
            Fleet = "_hidden",
            CalibrationPasses = 0,
            GateSignificance = 1,
            RollbackMaxAgeHours = 0,
        };

        var result = new ModelsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[]
        {
            "Edge:Models:TrustedKeyPaths:0: file", "Edge:Models:RevokedKeyIds:0: 'ABC'", "Edge:Models:Fleet: '_hidden'",
            "Edge:Models:CalibrationPasses", "Edge:Models:GateSignificance", "Edge:Models:RollbackMaxAgeHours",
        })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_store_needs_at_least_one_trusted_key_and_the_one_key_shorthand_is_part_of_the_set()
    {
        var options = new ModelsOptions { StoreDirectory = _folder.Path };
        var none = new ModelsOptionsValidator().Validate(null, options);
        var expected = "Edge:Models:TrustedKeyPaths: must name at least one";
        Assert.Contains(expected, none.FailureMessage, StringComparison.Ordinal);

        options.PublicKeyPath = "a.pem";
        options.TrustedKeyPaths = ["b.pem"];
        Assert.Equal(["a.pem", "b.pem"], options.KeyPaths);
    }

    public void Dispose() => _folder.Dispose();
}
