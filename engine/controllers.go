package engine

// startControllers starts the engine's background loops.
func (e *Engine) startControllers() {
	e.run(e.namespaceController)
	e.run(e.schedulerLoop)
	e.run(e.replicationLoop)
	e.run(e.simulatedLoop)
	e.run(e.eventCollector)
	e.events.start()
	e.run(e.nodeLifecycle)
}

// nodeHasAgent says whether some node agent runs the node's pods (and so
// will finish their graceful deletion).
func (e *Engine) nodeHasAgent(node string) bool {
	e.agentsMu.Lock()
	defer e.agentsMu.Unlock()
	_, ok := e.agents[node]
	return ok
}
