Console.Error.WriteLine("No benchmark scenarios yet: see the benchmarks issue.");
return 1;
