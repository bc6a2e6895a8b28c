"""Packing of the chosen hyperparameters into the two small vectors every kernel reads.

hp (float64, H_SIZE): learning rate, optimizer settings, regularisation rates, dropout, Huber δ.
ip (int64, I_SIZE): loss, output activation, optimizer, batch size, update count t, whether biases learn.
A kernel's signature therefore never changes when a setting does, and the JIT compiles once.
"""
H_LR, H_MOMENTUM, H_BETA1, H_BETA2, H_RHO, H_EPSILON, H_L1, H_L2, H_DROPOUT, H_HUBER = range(10)
H_SIZE = 10
I_LOSS, I_OUTPUT, I_OPTIMIZER, I_BATCH, I_T, I_LEARN_BIAS = range(6)
I_SIZE = 6
