using Edge.Domain.Messaging;

namespace Edge.Domain.Models;

/// <summary>
/// The devices a package is made for (signed, manifest schema 4): explicit device ids, a fleet (a part class every
/// agent of the fleet is configured with), or both. An agent refuses a package that does not name it.
/// </summary>
/// <param name="DeviceIds">
/// Device ids, each a valid MQTT topic level (see <see cref="EdgeTopics.IsValidDeviceId"/>).
/// </param>
/// <param name="Fleet">Fleet name, same character rules as a device id; null for none.</param>
public sealed record ModelTargets(IReadOnlyList<string> DeviceIds, string? Fleet = null)
{
    /// <summary>Most device ids one package may name, so a hostile manifest cannot make a huge list.</summary>
    public const int MaxDeviceIds = 1024;

    /// <summary>
    /// True when the package is for <paramref name="deviceId"/>, by id or by its <paramref name="fleet"/>.
    /// </summary>
    public bool Includes(string deviceId, string? fleet)
    {
        if (Fleet is not null && fleet is not null && string.Equals(Fleet, fleet, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var id in DeviceIds ?? [])
        {
            if (string.Equals(id, deviceId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first problem with these targets — none named, too many, an id or fleet that is not a valid topic level,
    /// an id named twice — or null when they are usable.
    /// </summary>
    public string? Problem()
    {
        var ids = DeviceIds ?? [];
        if (ids.Count == 0 && Fleet is null)
        {
            return "name at least one device id or a fleet";
        }

        if (ids.Count > MaxDeviceIds)
        {
            return $"{ids.Count} device ids; a package names at most {MaxDeviceIds} (use a fleet)";
        }

        if (Fleet is not null && !EdgeTopics.IsValidDeviceId(Fleet))
        {
            return $"fleet '{Fleet}' is not a valid name: use 1-{EdgeTopics.MaxDeviceIdLength} letters, digits, '-', "
                + "'_' or '.', not starting with '_'";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (!EdgeTopics.IsValidDeviceId(id))
            {
                return $"device id '{id}' is not valid: use 1-{EdgeTopics.MaxDeviceIdLength} letters, digits, '-', '_' "
                    + "or '.', not starting with '_'";
            }

            if (!seen.Add(id))
            {
                return $"device id '{id}' is named twice";
            }
        }

        return null;
    }
}
