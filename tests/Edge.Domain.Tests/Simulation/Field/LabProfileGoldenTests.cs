using System.Security.Cryptography;
using Edge.Domain.Simulation;

namespace Edge.Domain.Tests.Simulation.Field;

/// <summary>
/// The lab profile is what every committed figure was measured on: its output for a fixed part and seed must stay
/// bit for bit what it was before the field profile existed (digests taken on main at c62c784).
/// </summary>
public sealed class LabProfileGoldenTests
{
    [Theory]
    [InlineData("duffing", "76A56E16414470AA4739C790F34051E5")]
    [InlineData("electronic", "3E92A2EA4E883BA600CF007692352D06")]
    [InlineData("mechanical", "5AB51B88BB36E7EF7179CA19E78D8BED")]
    [InlineData("optical", "401E968EDD23BBAC69910CF736534634")]
    public void Lab_output_for_a_fixed_part_and_seed_is_bitwise_what_main_produced(string systemName, string digest)
    {
        var device = PhysicalSystems.Get(systemName).CreateDevice(PhysicalSystems.DefaultPartId, 7);
        Assert.Equal(digest, Digest(device));
    }

    internal static string Digest(SimulatedDevice device)
    {
        const int Drives = 48;
        var random = new NoiseSource(20261207);
        var spec = device.Spec;
        var drives = new float[Drives * spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1.1, 1.1);
        }

        var responses = new float[Drives * spec.OutputSize];
        // Two batches, so state carried between batches (drift, ringing) is covered too.
        var half = Drives / 2;
        device.Forward(drives.AsSpan(0, half * spec.DriveLength), responses.AsSpan(0, half * spec.OutputSize));
        device.Forward(drives.AsSpan(half * spec.DriveLength), responses.AsSpan(half * spec.OutputSize));
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(responses.AsSpan());
        return Convert.ToHexString(SHA256.HashData(bytes))[..32];
    }
}
