-- The plans' quota of EC2 sync sources per account (issue 14), added to the quotas JSON of the
-- seeded plans: free 2, standard 10, enterprise 100. Custom plans get the standard value.
UPDATE "plans"
SET "quotas" = "quotas" || jsonb_build_object(
  'ec2SyncSourcesPerAccount',
  CASE "name" WHEN 'free' THEN 2 WHEN 'enterprise' THEN 100 ELSE 10 END
)
WHERE NOT ("quotas" ? 'ec2SyncSourcesPerAccount');
