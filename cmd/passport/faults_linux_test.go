package main

import "syscall"

// childAttrs make a fault-suite process die with the test binary, so a
// test killed by its timeout leaves no server running.
func childAttrs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
