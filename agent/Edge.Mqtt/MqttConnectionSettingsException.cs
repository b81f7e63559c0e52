namespace Edge.Mqtt;

/// <summary>
/// Connection settings were used that do not validate; the message lists every problem with its setting.
/// </summary>
public sealed class MqttConnectionSettingsException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public MqttConnectionSettingsException(IReadOnlyList<MqttSettingProblem> problems)
        : base("Broker connection settings: " + string.Join("; ", problems.Select(p => $"{p.Key}: {p.Problem}")))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttConnectionSettingsException(string message)
        : base(message)
    {
        Problems = [];
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MqttConnectionSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    /// <summary>Creates the exception without a message.</summary>
    public MqttConnectionSettingsException()
    {
        Problems = [];
    }

    /// <summary>The problems, each naming its setting.</summary>
    public IReadOnlyList<MqttSettingProblem> Problems { get; }
}
