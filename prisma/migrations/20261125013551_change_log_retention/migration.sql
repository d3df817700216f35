-- CreateIndex
CREATE INDEX "mesh_changes_committed_at_idx" ON "mesh_changes"("committed_at");
