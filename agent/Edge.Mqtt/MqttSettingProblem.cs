namespace Edge.Mqtt;

/// <summary>One reason why connection settings cannot be used.</summary>
/// <param name="Key">The setting at fault, as a <see cref="MqttConnectionSettings"/> property name.</param>
/// <param name="Problem">What is wrong with it.</param>
public readonly record struct MqttSettingProblem(string Key, string Problem);
